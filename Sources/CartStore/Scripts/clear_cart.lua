-- clear_cart.lua: remove every line; the cart itself (id, owner, version) and the lines saved
-- for later stay.
-- KEYS, common ARGV and reply: see cart_prelude.lua. No extra ARGV.
-- Invariant: afterwards the cart has no line and q = 0.
local refused = change_refused()
if refused then return refused end
ensure_cart()
local fields = redis.call('HKEYS', cart_key)
for _, field in ipairs(fields) do
  if string.sub(field, 1, 2) == 'l:' then redis.call('HDEL', cart_key, field) end
end
redis.call('HSET', cart_key, 'q', 0)
return commit(false)
