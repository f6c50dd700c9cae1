#!lua
--[[
delete: compare-and-swap removal of an object, append DELETED (with its last state) to the change
log, and remove it from every index ZSET listed in its `ix` field.

KEYS[1]   object hash          {p}:o:<res>:<ns>/<name>
KEYS[2]   global revision      {p}:rev
KEYS[3]   kind change log      {p}:log:<res>
KEYS[4]   kind last revision   {p}:last:<res>
KEYS[5]   kind log age marks   {p}:marks:<res>
ARGV[1]   member "<ns>/<name>"
ARGV[2]   approximate MAXLEN of the change log
ARGV[3]   expected resourceVersion ('' = unconditional)
ARGV[4]   now, ms since the epoch (the writer's clock)
ARGV[5]   log retention in ms: older changes are trimmed (include trim-log-by-age)
ARGV[6]   the kind's index key prefix {p}:i:<res>: (include index-keys)

Returns {'OK', rev, lastJson} | {'NOTFOUND'} | {'CONFLICT', currentRv, currentJson}
]]
--- @include "trim-log-by-age"
--- @include "index-keys"

local cur = redis.call('HMGET', KEYS[1], 'rv', 'ix', 'd')
local rv = cur[1]
if not rv then return {'NOTFOUND'} end
if ARGV[3] ~= '' and ARGV[3] ~= rv then return {'CONFLICT', rv, cur[3]} end

local prev = redis.call('GET', KEYS[4]) or '0'
local rev = string.format('%d', redis.call('INCR', KEYS[2]))
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], rev .. '-0', 't', 'DELETED', 'k', ARGV[1], 'p', prev, 'd', cur[3])
redis.call('SET', KEYS[4], rev)

for _, k in ipairs(decodeIndexKeys(cur[2], ARGV[6])) do
  redis.call('ZREM', k, ARGV[1])
end
redis.call('DEL', KEYS[1])
trimLogByAge(KEYS[3], KEYS[5], rev, ARGV[4], ARGV[5])
return {'OK', rev, cur[3]}
