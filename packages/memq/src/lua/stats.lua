-- stats: every queue's counters, after returning expired leases to their queues.
-- KEYS[1] queues hash
-- ARGV[1] now (epoch ms)   ARGV[2..5] key suffixes for meta, items, leases, leased (keys.ts)
-- returns a flat array: name, enqueued, dequeued, drained, redelivered, inFlight, ... per queue
--- @include "reclaim"
local out = {}
local queues = redis.call('HGETALL', KEYS[1])
for i = 1, #queues, 2 do
  local base = queues[i + 1]
  local meta, items, leases, leased = base .. ARGV[2], base .. ARGV[3], base .. ARGV[4], base .. ARGV[5]
  reclaim(meta, items, leases, leased, ARGV[1])
  local c = redis.call('HMGET', meta, 'enqueued', 'dequeued', 'drained', 'redelivered')
  out[#out + 1] = queues[i]
  out[#out + 1] = tonumber(c[1]) or 0
  out[#out + 1] = tonumber(c[2]) or 0
  out[#out + 1] = tonumber(c[3]) or 0
  out[#out + 1] = tonumber(c[4]) or 0
  out[#out + 1] = redis.call('ZCARD', leases)
end
return out
