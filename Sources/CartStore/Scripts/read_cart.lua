-- read_cart.lua: the cart as it is, made (empty) on first use; a read refreshes the TTL.
-- KEYS, common ARGV and reply: see cart_prelude.lua. No extra ARGV.
-- Invariant: a live cart's contents and version are unchanged; a new cart is version 1 (an
-- ended cart is replaced by a new one).
local absent = missing()
if absent then return absent end
if not is_live() then
  ensure_cart()
  return commit(false)
end
if ttl > 0 then redis.call('PEXPIRE', cart_key, ttl) end
return {'ok', 0, redis.call('HGETALL', cart_key)}
