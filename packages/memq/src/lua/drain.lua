-- drain: drop every queued item (leased items stay leased): drained += depth.
-- KEYS[1] meta   KEYS[2] items
-- returns the number of items drained | -1 does not exist
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
local n = redis.call('LLEN', KEYS[2])
redis.call('DEL', KEYS[2])
redis.call('HINCRBY', KEYS[1], 'drained', n)
return n
