-- bulk_update.lua: set the quantities of several lines at once, all or nothing.
-- KEYS, common ARGV and reply: see cart_prelude.lua.
-- ARGV[11], ARGV[12], ...: fours of item id, new quantity (0 removes; ids distinct and
-- quantities in range, checked by the caller), the product the next argument is for ('' none)
-- and its limit (see growth_refused).
-- Invariant: either every entry is applied or none is (an unknown item → CART_003 naming it, a
-- line grown past its product's stock or while it is off sale → CART_009 naming the product, a
-- result over the per-cart cap → CART_004).
local refused = change_refused()
if refused then return refused end
local changes = {}
local total = units()
local lines = line_index()
for index = 11, argument_count, 4 do
  local found = lines[ARGV[index]]
  local field = found and found[1]
  if not field or string.sub(field, 1, 2) ~= 'l:' then return {'err', 'CART_003', ARGV[index]} end
  local item, old_qty, cents, created, _updated, name = parse_line(redis.call('HGET', cart_key, field))
  local qty = tonumber(ARGV[index + 1])
  local short = growth_refused(field, old_qty, qty, ARGV[index + 2], ARGV[index + 3])
  if short then return short end
  total = total - old_qty + qty
  changes[#changes + 1] = {field, item, qty, cents, created, name}
end
if total > max_cart then return {'err', 'CART_004', ''} end
for _, change in ipairs(changes) do
  local field, item, qty, cents, created, name = unpack(change)
  if qty == 0 then
    redis.call('HDEL', cart_key, field)
  else
    redis.call('HSET', cart_key, field, format_line(item, qty, cents, created, now, name))
  end
end
redis.call('HSET', cart_key, 'q', total)
return commit(false)
