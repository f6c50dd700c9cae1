-- create: add an empty queue with zeroed counters.
-- KEYS[1] queues hash   KEYS[2] meta   KEYS[3] items   KEYS[4] leases   KEYS[5] leased
-- ARGV[1] queue name    ARGV[2] the queue's key base (value stored in the queues hash)
-- returns 1 created | -2 already exists
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return -2
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
redis.call('HSET', KEYS[2], 'enqueued', 0, 'dequeued', 0, 'drained', 0, 'redelivered', 0)
return 1
