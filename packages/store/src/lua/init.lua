#!lua
--[[
init: the restart rule (design §4.6), idempotent. When the Redis run_id differs from the one stored
at the last bump (restart, failover, restore, or a brand-new store), jump the revision forward and
raise the watch floor to it, so no revision a client may have seen is ever issued again and every
older watch or continue token answers 410.

KEYS[1]   stored run_id        {p}:runid
KEYS[2]   global revision      {p}:rev
KEYS[3]   watch floor          {p}:floor
ARGV[1]   the server's current run_id (INFO server)
ARGV[2]   how far to bump the revision (1000000)

Returns {bumped (0|1), rev, floor}
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return {0, redis.call('GET', KEYS[2]) or '0', redis.call('GET', KEYS[3]) or '0'}
end
local rev = string.format('%d', redis.call('INCRBY', KEYS[2], ARGV[2]))
redis.call('SET', KEYS[3], rev)
redis.call('SET', KEYS[1], ARGV[1])
return {1, rev, rev}
