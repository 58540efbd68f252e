-- set_promo_code.lua: put a promotion code on the cart (POST /cart/promo) or take it off
-- (DELETE /cart/promo).
-- KEYS, common ARGV and reply: see cart_prelude.lua.
-- ARGV[11] the code as created ('' takes the cart's code off)
-- ARGV[12] the code's minimum subtotal in cents
-- Invariant: a code goes on only when the cart's subtotal, summed here in the same step,
-- reaches the minimum (else {'err', 'CART_012', <subtotal cents>} and nothing changes); a cart
-- holds one code (a second replaces the first); taking off a code the cart does not hold
-- changes nothing.
local refused = change_refused()
if refused then return refused end
local code = ARGV[11]
if code == '' then
  ensure_cart()
  if redis.call('HDEL', cart_key, 'pc') == 0 and not cart_made then
    return {'ok', 0, redis.call('HGETALL', cart_key)}
  end
  return commit(false)
end
-- The subtotal of the cart in use (a cart that ended counts as the empty one replacing it).
local subtotal = 0
if is_live() then
  local all = redis.call('HGETALL', cart_key)
  for position = 1, #all, 2 do
    if string.sub(all[position], 1, 2) == 'l:' then
      local _item, qty, cents = parse_line(all[position + 1])
      subtotal = subtotal + qty * tonumber(cents)
    end
  end
end
if subtotal < tonumber(ARGV[12]) then return {'err', 'CART_012', tostring(subtotal)} end
ensure_cart()
redis.call('HSET', cart_key, 'pc', code)
return commit(false)
