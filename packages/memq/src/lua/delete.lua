-- delete: remove a queue with its items, leases and counters.
-- KEYS[1] queues hash   KEYS[2] meta   KEYS[3] items   KEYS[4] leases   KEYS[5] leased
-- ARGV[1] queue name
-- returns 1 deleted | -1 does not exist
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then
  return -1
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return 1
