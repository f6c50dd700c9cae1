#!lua flags=no-writes
--[[
list: one page of objects at the current revision, in member order ("<ns>/<name>", bytewise).
Walks the smallest of the given equality indexes with ZRANGEBYLEX and keeps members that are in
every other one (ZSCORE). Remaining (set-based) requirements are filtered by the caller.

KEYS[1]   global revision      {p}:rev
KEYS[2]   watch floor          {p}:floor (returned so the caller can check a continue token)
KEYS[3..] equality index ZSETs a match must belong to (at least one; {p}:i:<res>:all if no other)
ARGV[1]   object key prefix    {p}:o:<res>:
ARGV[2]   after: only members strictly greater than this ('' = from the start)
ARGV[3]   limit: most objects to return (0 = no limit)
ARGV[4]   most members to examine (0 = no limit)
ARGV[5]   exact member to look at instead of walking an index ('' = walk); the caller applies `after`

Returns {rev, floor, lastExamined, more, member1, rv1, json1, member2, rv2, json2, ...}
  lastExamined  the last member looked at (ARGV[2] when none); the next page starts after it
  more          1 when the walked index has members after lastExamined, else 0

Object keys are built from ARGV[1]; they share the hash tag, so this is safe in a cluster.
]]
local limit, maxScan = tonumber(ARGV[3]), tonumber(ARGV[4])
local out = {redis.call('GET', KEYS[1]) or '0', redis.call('GET', KEYS[2]) or '0', ARGV[2], 0}
local found = 0

local function inIndexes(m, skip)
  for i = 3, #KEYS do
    if i ~= skip and not redis.call('ZSCORE', KEYS[i], m) then return false end
  end
  return true
end

local function emit(m)
  local h = redis.call('HMGET', ARGV[1] .. m, 'rv', 'd')
  if h[1] then
    out[#out + 1] = m
    out[#out + 1] = h[1]
    out[#out + 1] = h[2]
    found = found + 1
  end
end

if ARGV[5] ~= '' then
  if inIndexes(ARGV[5], 0) then emit(ARGV[5]) end
  out[3] = ARGV[5]
  return out
end

local driver, size = 3, -1
for i = 3, #KEYS do
  local n = redis.call('ZCARD', KEYS[i])
  if size < 0 or n < size then driver, size = i, n end
end

local function hasAfter(m)
  return #redis.call('ZRANGEBYLEX', KEYS[driver], '(' .. m, '+', 'LIMIT', 0, 1) > 0
end

local min = '-'
if ARGV[2] ~= '' then min = '(' .. ARGV[2] end
local scanned = 0
while true do
  local n = 256
  if maxScan > 0 and maxScan - scanned < n then n = maxScan - scanned end
  local batch = redis.call('ZRANGEBYLEX', KEYS[driver], min, '+', 'LIMIT', 0, n)
  for _, m in ipairs(batch) do
    scanned = scanned + 1
    out[3] = m
    if inIndexes(m, driver) then emit(m) end
    if limit > 0 and found >= limit then
      if hasAfter(m) then out[4] = 1 end
      return out
    end
  end
  if #batch < n then return out end
  if maxScan > 0 and scanned >= maxScan then
    if hasAfter(out[3]) then out[4] = 1 end
    return out
  end
  min = '(' .. out[3]
end
