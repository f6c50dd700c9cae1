#!lua
--[[
relay-lease: take or renew the relay lease (docs/design.md §1, "Several api-servers"). The lease
is free when the key is missing (never taken, or its holder stopped renewing and it expired).

KEYS[1]   the lease                 {p}:relay-lease
ARGV[1]   this api-server's id
ARGV[2]   lease duration in ms

Returns 1 when this api-server holds the lease now (taken or renewed), 0 when another one does.
]]
local cur = redis.call('GET', KEYS[1])
if cur == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
