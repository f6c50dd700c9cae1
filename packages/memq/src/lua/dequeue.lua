-- dequeue: take the head message, after returning expired leases to the queue; with a lease id,
-- keep the message leased until ack or expiry instead of forgetting it.
-- KEYS[1] meta   KEYS[2] items   KEYS[3] leases   KEYS[4] leased
-- ARGV[1] now (epoch ms)   ARGV[2] lease id ('' for kuard's destructive dequeue)   ARGV[3] lease expiry (epoch ms)
-- returns the message wire form | 0 queue empty | -1 does not exist
--- @include "reclaim"
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
reclaim(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1])
local wire = redis.call('LPOP', KEYS[2])
if not wire then
  return 0
end
redis.call('HINCRBY', KEYS[1], 'dequeued', 1)
if ARGV[2] ~= '' then
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
  redis.call('HSET', KEYS[4], ARGV[2], wire)
end
return wire
