-- ack: settle a lease. Expired leases are returned to the queue first, so a late ack fails.
-- KEYS[1] meta   KEYS[2] items   KEYS[3] leases   KEYS[4] leased
-- ARGV[1] now (epoch ms)   ARGV[2] lease id
-- returns 1 acked | -1 does not exist | -3 lease not found
--- @include "reclaim"
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
reclaim(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1])
if redis.call('ZREM', KEYS[3], ARGV[2]) == 0 then
  return -3
end
redis.call('HDEL', KEYS[4], ARGV[2])
return 1
