--[[
include trim-log-by-age: age-based trimming of a kind's change log, included by the write scripts
(create, update, delete) and called last, after the write itself.

The log's entry IDs are revisions ("<rev>-0"), not times, so the marks LIST {p}:marks:<res>
records when revisions were appended: one item '<unix second>:<first revision of that second>'
per second in which the log was written, oldest first (at most ~retention seconds of items). Every
entry appended during a mark's second has a revision in [its firstRev, the next mark's firstRev).

trimLogByAge(log, marks, rev, nowMs, retentionMs) does:
1. push '<now's second>:<rev>' when now is past the newest mark's second. A clock behind it (another
   api-server's) counts the entry in the newest mark's second: kept longer, never shorter.
2. pop every head mark whose whole second ended at least retentionMs ago and that has a next mark;
3. if any popped, XTRIM MINID the next mark's firstRev: every entry of the popped seconds goes.
The entry just appended is never trimmed (its revision is at least the newest mark's firstRev), so
a log is never emptied and the prev chain still makes any watch from before it answer 410.
]]
local function trimLogByAge(log, marks, rev, nowMs, retentionMs)
  local now, keep = tonumber(nowMs), tonumber(retentionMs)
  local sec = math.floor(now / 1000)
  local newest = redis.call('LINDEX', marks, -1)
  if not newest or sec > tonumber(string.match(newest, '^(%d+):')) then
    redis.call('RPUSH', marks, string.format('%d:%s', sec, rev))
  end
  local minId
  while true do
    local head = redis.call('LRANGE', marks, 0, 1)
    if #head < 2 then break end
    if (tonumber(string.match(head[1], '^(%d+):')) + 1) * 1000 + keep > now then break end
    redis.call('LPOP', marks)
    minId = string.match(head[2], ':(%d+)$')
  end
  if minId then redis.call('XTRIM', log, 'MINID', minId .. '-0') end
end
