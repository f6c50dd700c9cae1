#!lua flags=no-writes
--[[
changes: the kind's change-log entries after a revision, read atomically with the current
revision and the watch floor so the caller can apply the 410 rules (design §4.5).

KEYS[1]   global revision      {p}:rev
KEYS[2]   watch floor          {p}:floor
KEYS[3]   kind change log      {p}:log:<res>
ARGV[1]   revision to start after (exclusive)
ARGV[2]   most entries to return

Returns {rev, floor, entries}; entries as XRANGE returns them: {{'<rev>-0', {field, value, ...}}, ...}
with fields t (ADDED|MODIFIED|DELETED), k (member), p (previous rev in this log), d (object JSON).
]]
local rev = redis.call('GET', KEYS[1]) or '0'
local floor = redis.call('GET', KEYS[2]) or '0'
local entries = redis.call('XRANGE', KEYS[3], '(' .. ARGV[1] .. '-0', '+', 'COUNT', ARGV[2])
return {rev, floor, entries}
