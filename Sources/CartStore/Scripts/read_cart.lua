-- read_cart.lua: the cart as it is, made (empty) on first use, with its TTL refreshed. A known
-- session's cart is read without a script (see RedisCartStore.cart(of:)) until less than its TTL is
-- left; then this script refreshes it, once: a cart refreshed (or restored) a moment ago by another
-- request has its TTL and more left, and is only read.
-- KEYS, common ARGV and reply: see cart_prelude.lua. ARGV[11]: the TTL, in milliseconds.
-- Invariant: a live cart's contents and version are unchanged; a new cart is version 1 (an
-- ended cart is replaced by a new one).
local absent = missing()
if absent then return absent end
if not is_live() then
  ensure_cart()
  return commit(false)
end
-- Refreshed by its field x, as RedisCartStore.cart(of:) decides: a cart stored before carts
-- noted their expiry (no x) is refreshed once.
local kept_until = tonumber(redis.call('HGET', cart_key, 'x') or '0')
if kept_until - tonumber(now) < tonumber(ARGV[11]) then keep_alive() end
return {'ok', 0, redis.call('HGETALL', cart_key)}
