-- add_item.lua: add units of a product; a product already in the cart grows its line.
-- KEYS, common ARGV and reply: see cart_prelude.lua.
-- ARGV[10] product id  ARGV[11] quantity (>= 1)  ARGV[12] unit price in cents  ARGV[13] product name
-- ARGV[14] id for a new line  ARGV[15] units in stock ('' = not tracked)
-- Invariant: no line passes the per-line cap, the cart never passes the per-cart cap, a line
-- never passes the stock; an existing line keeps its price snapshot.
local refused = precondition_error()
if refused then return refused end
local product_id, qty = ARGV[10], tonumber(ARGV[11])
local field = 'l:' .. product_id
local existing = redis.call('HGET', cart_key, field)
local item, cents, created, name, line_qty = ARGV[14], ARGV[12], now, ARGV[13], qty
if existing then
  local old_qty, _updated
  item, old_qty, cents, created, _updated, name = parse_line(existing)
  line_qty = old_qty + qty
end
if line_qty > max_line then return {'err', 'CART_001', tostring(line_qty - qty)} end
if units() + qty > max_cart then return {'err', 'CART_004', ''} end
if ARGV[15] ~= '' and line_qty > tonumber(ARGV[15]) then return {'err', 'CART_009', ARGV[15]} end
ensure_cart()
redis.call('HSET', cart_key, field, format_line(item, line_qty, cents, created, now, name))
if not existing then redis.call('HSET', cart_key, 'i:' .. item, product_id) end
redis.call('HINCRBY', cart_key, 'q', qty)
return commit(not existing)
