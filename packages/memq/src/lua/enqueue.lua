-- enqueue: append a message at the tail.
-- KEYS[1] meta   KEYS[2] items
-- ARGV[1] the message's wire form (kuard JSON, no newline)
-- returns 1 | -1 does not exist
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[1], 'enqueued', 1)
return 1
