-- merge_apply.lua: step 2 of a merge, on the user cart: add the guest lines once per merge id.
-- KEYS, common ARGV: see cart_prelude.lua.  KEYS[6] the merge's applied-marker
-- ARGV[11] merge id  ARGV[12] the guest cart's promotion code ('' none)
-- ARGV[13], ...: 9 per guest line: product id, id for a new line, quantity, unit cents,
--   created ms, updated ms, name, '1' when the guest saved it for later, and what the product
--   may sell ('' no limit, 'off' nothing, or the units in stock: a shared cart's copy)
-- Reply: {'ok', flags, <HGETALL of the user cart>, <warnings>}; warnings are
--   '<code>|<product id>|<item id>|<requested>|<kept>' joined by ';'.
-- Invariant: quantities add, capped per line, per cart and (where given) at the stock; a line
-- the user already has keeps its price snapshot; a merge id already applied changes nothing
-- (beyond replacing a cart that ended since with a new one) and answers the same warnings;
-- a cart at none of the If-Match versions (ARGV[6]) changes nothing (CART_008).
-- A guest line saved for later joins the user's saved lines, unless the user's cart has the product.
-- The guest's promotion code goes on a user cart that holds none; a code the user cart holds stays.
local absent = missing()
if absent then return absent end
local applied = redis.call('GET', KEYS[6])
if applied then
  if is_live() then return {'ok', 0, redis.call('HGETALL', cart_key), applied} end
  -- The cart it was applied to has ended since (checked out): the retry gets the cart the owner
  -- has now, a new one, as any cart request would, and adds nothing again.
  ensure_cart()
  local reply = commit(false)
  table.insert(reply, applied)
  return reply
end
local conflict = version_conflict()
if conflict then return conflict end
ensure_cart()
local warnings = {}
local total = units()
local changed = false
if ARGV[12] ~= '' and not redis.call('HGET', cart_key, 'pc') then
  redis.call('HSET', cart_key, 'pc', ARGV[12])
  changed = true
end
for index = 13, argument_count, 9 do
  local product_id, new_item, qty = ARGV[index], ARGV[index + 1], tonumber(ARGV[index + 2])
  local guest_saved = ARGV[index + 7] == '1'
  -- A product the user saved for later grows its saved line (outside the cart's units).
  local saved_field = 's:' .. product_id
  local in_cart = redis.call('HEXISTS', cart_key, 'l:' .. product_id) == 1
  local in_saved = not in_cart and (guest_saved or redis.call('HEXISTS', cart_key, saved_field) == 1)
  if not (guest_saved and in_cart) then
    local field = in_saved and saved_field or ('l:' .. product_id)
    local existing = redis.call('HGET', cart_key, field)
    local item, cents, created, name, old_qty = new_item, ARGV[index + 3], ARGV[index + 4], ARGV[index + 6], 0
    if existing then
      local _updated
      item, old_qty, cents, created, _updated, name = parse_line(existing)
    end
    local kept = math.max(0, math.min(old_qty + qty, max_line) - old_qty)
    local code = 'QUANTITY_CAPPED'
    if not in_saved and total + kept > max_cart then
      kept = math.max(0, max_cart - total)
      code = 'CART_LIMIT_REACHED'
    end
    local stock = ARGV[index + 8]
    if not in_saved and stock ~= '' then
      local room = stock == 'off' and 0 or math.max(0, tonumber(stock) - old_qty)
      if kept > room then
        kept = room
        code = 'INSUFFICIENT_STOCK'
      end
    end
    if kept < qty then
      table.insert(warnings, code .. '|' .. product_id .. '|' .. item .. '|' .. qty .. '|' .. kept)
    end
    if kept > 0 then
      redis.call('HSET', cart_key, field, format_line(item, old_qty + kept, cents, created, now, name))
      if not in_saved then total = total + kept end
      changed = true
    end
  end
end
redis.call('HSET', cart_key, 'q', total)
local summary = table.concat(warnings, ';')
redis.call('SET', KEYS[6], summary, 'PX', 86400000)
if changed or cart_made then
  local reply = commit(false)
  table.insert(reply, summary)
  return reply
end
return {'ok', 0, redis.call('HGETALL', cart_key), summary}
