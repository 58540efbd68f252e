-- set_quantity.lua: set one line's quantity; 0 removes the line.
-- KEYS, common ARGV and reply: see cart_prelude.lua.
-- ARGV[11] item id  ARGV[12] new quantity (0..per-line cap, checked by the caller)
-- ARGV[13] the product the next argument is for ('' none)  ARGV[14] its limit (see growth_refused)
-- A saved line (saved for later) is set the same way, outside the cart's units, cap and stock.
-- Invariant: the cart never passes the per-cart cap, a line grows only within its product's
-- stock and while it is on sale; an unknown item changes nothing.
local refused = change_refused()
if refused then return refused end
local field = line_field(ARGV[11])
if not field then return {'err', 'CART_003', ''} end
local in_cart = string.sub(field, 1, 2) == 'l:'
local item, old_qty, cents, created, _updated, name = parse_line(redis.call('HGET', cart_key, field))
local qty = tonumber(ARGV[12])
if in_cart and qty > old_qty and units() - old_qty + qty > max_cart then return {'err', 'CART_004', ''} end
local short = growth_refused(field, old_qty, qty, ARGV[13], ARGV[14])
if short then return short end
if qty == 0 then
  redis.call('HDEL', cart_key, field)
else
  redis.call('HSET', cart_key, field, format_line(item, qty, cents, created, now, name))
end
if in_cart then redis.call('HINCRBY', cart_key, 'q', qty - old_qty) end
return commit(false)
