#!lua
--[[
create: insert an object that does not exist yet, append ADDED to the kind's change log.

KEYS[1]   object hash          {p}:o:<res>:<ns>/<name>
KEYS[2]   global revision      {p}:rev
KEYS[3]   kind change log      {p}:log:<res>
KEYS[4]   kind last revision   {p}:last:<res>
KEYS[5]   kind log age marks   {p}:marks:<res>
KEYS[6..] every index ZSET the object belongs to
ARGV[1]   member "<ns>/<name>"
ARGV[2]   object JSON without metadata.resourceVersion
ARGV[3]   approximate MAXLEN of the change log
ARGV[4]   now, ms since the epoch (the writer's clock)
ARGV[5]   log retention in ms: older changes are trimmed (include trim-log-by-age)
ARGV[6]   the kind's index key prefix {p}:i:<res>: (include index-keys)

Returns {'OK', rev} | {'EXISTS', currentRv}

Order matters (a script is atomic but not transactional): every check happens before the first
write, and the first writes are INCR then XADD, so a failure can lose at most an unused revision.
Trimming comes last: it only ever removes log entries older than the retention window.
]]
--- @include "trim-log-by-age"
--- @include "index-keys"

local rv = redis.call('HGET', KEYS[1], 'rv')
if rv then return {'EXISTS', rv} end

local prev = redis.call('GET', KEYS[4]) or '0'
local rev = string.format('%d', redis.call('INCR', KEYS[2]))
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], rev .. '-0', 't', 'ADDED', 'k', ARGV[1], 'p', prev, 'd', ARGV[2])
redis.call('SET', KEYS[4], rev)

for i = 6, #KEYS do
  redis.call('ZADD', KEYS[i], 0, ARGV[1])
end
redis.call('HSET', KEYS[1], 'rv', rev, 'd', ARGV[2], 'ix', encodeIndexKeys(KEYS, 6, ARGV[6]))
trimLogByAge(KEYS[3], KEYS[5], rev, ARGV[4], ARGV[5])
return {'OK', rev}
