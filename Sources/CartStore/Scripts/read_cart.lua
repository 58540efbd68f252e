-- read_cart.lua: the cart as it is, made (empty) on first use; a read refreshes the TTL.
-- KEYS, common ARGV and reply: see cart_prelude.lua. No extra ARGV.
-- Invariant: an existing cart's contents and version are unchanged; a new cart is version 1.
local absent = missing()
if absent then return absent end
if redis.call('EXISTS', cart_key) == 0 then
  ensure_cart()
  return commit(false)
end
if ttl > 0 then redis.call('PEXPIRE', cart_key, ttl) end
return {'ok', 0, redis.call('HGETALL', cart_key)}
