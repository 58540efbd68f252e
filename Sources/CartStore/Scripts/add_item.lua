-- add_item.lua: add units of a product; a product already in the cart grows its line.
-- KEYS, common ARGV and reply: see cart_prelude.lua.
-- ARGV[11] product id  ARGV[12] quantity (>= 1)  ARGV[13] unit price in cents  ARGV[14] product name
-- ARGV[15] id for a new line  ARGV[16] units in stock ('' = not tracked)
-- Invariant: no line passes the per-line cap, the cart never passes the per-cart cap, a line
-- never passes the stock; an existing line keeps its price snapshot.
local refused = change_refused()
if refused then return refused end
local product_id, qty = ARGV[11], tonumber(ARGV[12])
local field = 'l:' .. product_id
-- A product saved for later comes back into the cart with its saved line, plus the quantity.
local existing, saved_line, units_now, status = unpack(redis.call('HMGET', cart_key, field, 's:' .. product_id, 'q', 'st'))
-- A cart that ended (merged away, converted by a checkout) is replaced: none of its lines count.
if status ~= 'active' and status ~= 'merging' then existing, saved_line, units_now = nil, nil, nil end
local saved = not existing and saved_line
local item, cents, created, name, line_qty, joining = ARGV[15], ARGV[13], now, ARGV[14], qty, qty
if existing or saved then
  local old_qty, _updated
  item, old_qty, cents, created, _updated, name = parse_line(existing or saved)
  line_qty = old_qty + qty
  if saved then joining = line_qty end
end
if line_qty > max_line then return {'err', 'CART_001', tostring(line_qty - qty)} end
if tonumber(units_now or '0') + joining > max_cart then return {'err', 'CART_004', ''} end
local short = growth_refused(field, line_qty - qty, line_qty, product_id, ARGV[16])
if short then return short end
ensure_cart(status)
if saved then redis.call('HDEL', cart_key, 's:' .. product_id) end
return commit(not existing, field, format_line(item, line_qty, cents, created, now, name),
  'q', tonumber(units_now or '0') + joining)
