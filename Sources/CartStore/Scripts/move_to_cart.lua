-- move_to_cart.lua: bring a line saved for later back into the cart.
-- KEYS, common ARGV and reply: see cart_prelude.lua.  ARGV[11] item id
-- ARGV[12] the product the next argument is for ('' none)  ARGV[13] its limit (see growth_refused)
-- Invariant: the cart never passes the per-cart cap (CART_004, nothing moves), nor a line its
-- product's stock (CART_009, as for an add); the line keeps its id, quantity and price
-- snapshot; a line already in the cart is left as it is.
local refused = change_refused()
if refused then return refused end
local field, product_id = line_field(ARGV[11])
if not field then return {'err', 'CART_003', ''} end
if string.sub(field, 1, 2) == 'l:' then return {'ok', 0, redis.call('HGETALL', cart_key)} end
local item, qty, cents, created, _updated, name = parse_line(redis.call('HGET', cart_key, field))
if units() + qty > max_cart then return {'err', 'CART_004', ''} end
local short = growth_refused('l:' .. product_id, 0, qty, ARGV[12], ARGV[13])
if short then return short end
redis.call('HDEL', cart_key, field)
redis.call('HSET', cart_key, 'l:' .. product_id, format_line(item, qty, cents, created, now, name))
redis.call('HINCRBY', cart_key, 'q', qty)
return commit(false)
