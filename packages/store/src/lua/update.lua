#!lua
--[[
update: compare-and-swap replace of an existing object, append MODIFIED to the change log, and
move the object between index ZSETs (old ones come from the hash's `ix` field).

KEYS[1]   object hash          {p}:o:<res>:<ns>/<name>
KEYS[2]   global revision      {p}:rev
KEYS[3]   kind change log      {p}:log:<res>
KEYS[4]   kind last revision   {p}:last:<res>
KEYS[5]   kind log age marks   {p}:marks:<res>
KEYS[6..] every index ZSET the new object belongs to
ARGV[1]   member "<ns>/<name>"
ARGV[2]   object JSON without metadata.resourceVersion
ARGV[3]   approximate MAXLEN of the change log
ARGV[4]   expected resourceVersion ('' = unconditional)
ARGV[5]   now, ms since the epoch (the writer's clock)
ARGV[6]   log retention in ms: older changes are trimmed (include trim-log-by-age)
ARGV[7]   the kind's index key prefix {p}:i:<res>: (include index-keys)

Returns {'OK', rev} | {'NOTFOUND'} | {'CONFLICT', currentRv, currentJson}

The old index keys are not declared in KEYS; they share the hash tag, so this is safe in a cluster.
]]
--- @include "trim-log-by-age"
--- @include "index-keys"

local cur = redis.call('HMGET', KEYS[1], 'rv', 'ix')
local rv = cur[1]
if not rv then return {'NOTFOUND'} end
if ARGV[4] ~= '' and ARGV[4] ~= rv then
  return {'CONFLICT', rv, redis.call('HGET', KEYS[1], 'd')}
end

local prev = redis.call('GET', KEYS[4]) or '0'
local rev = string.format('%d', redis.call('INCR', KEYS[2]))
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], rev .. '-0', 't', 'MODIFIED', 'k', ARGV[1], 'p', prev, 'd', ARGV[2])
redis.call('SET', KEYS[4], rev)

local want, had = {}, {}
for i = 6, #KEYS do
  want[KEYS[i]] = true
end
for _, k in ipairs(decodeIndexKeys(cur[2], ARGV[7])) do
  had[k] = true
  if not want[k] then redis.call('ZREM', k, ARGV[1]) end
end
for i = 6, #KEYS do
  if not had[KEYS[i]] then redis.call('ZADD', KEYS[i], 0, ARGV[1]) end
end
redis.call('HSET', KEYS[1], 'rv', rev, 'd', ARGV[2], 'ix', encodeIndexKeys(KEYS, 6, ARGV[7]))
trimLogByAge(KEYS[3], KEYS[5], rev, ARGV[5], ARGV[6])
return {'OK', rev}
