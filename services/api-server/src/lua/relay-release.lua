#!lua
--[[
relay-release: give the relay lease up at a clean stop, so another api-server takes it at its
next renewal instead of after the lease duration. Only the holder's own lease is deleted.

KEYS[1]   the lease                 {p}:relay-lease
ARGV[1]   this api-server's id

Returns 1 when the lease was this api-server's and is now free, else 0.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
