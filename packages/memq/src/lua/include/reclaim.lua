-- reclaim(meta, items, leases, leased, now): return the items of expired leases to the head of
-- the queue, the earliest-expired first in line. A returned item counts as not dequeued
-- (dequeued -= n, redelivered += n) so depth == enqueued - dequeued - drained stays true.
local function reclaim(meta, items, leases, leased, now)
  local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', now)
  local n = #expired
  if n == 0 then
    return
  end
  for i = n, 1, -1 do
    local wire = redis.call('HGET', leased, expired[i])
    if wire then
      redis.call('LPUSH', items, wire)
    end
    redis.call('HDEL', leased, expired[i])
  end
  redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
  redis.call('HINCRBY', meta, 'dequeued', -n)
  redis.call('HINCRBY', meta, 'redelivered', n)
end
