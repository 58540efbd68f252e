-- save_for_later.lua: move a cart line to the lines saved for later (out of the cart's totals).
-- KEYS, common ARGV and reply: see cart_prelude.lua.  ARGV[11] item id
-- Invariant: the line keeps its id, quantity and price snapshot; a line already saved is left
-- as it is (no new version).
local refused = change_refused()
if refused then return refused end
local field, product_id = line_field(ARGV[11])
if not field then return {'err', 'CART_003', ''} end
if string.sub(field, 1, 2) == 's:' then return {'ok', 0, redis.call('HGETALL', cart_key)} end
local line = redis.call('HGET', cart_key, field)
local item, qty, cents, created, _updated, name = parse_line(line)
redis.call('HDEL', cart_key, field)
redis.call('HSET', cart_key, 's:' .. product_id, format_line(item, qty, cents, created, now, name))
redis.call('HINCRBY', cart_key, 'q', -qty)
return commit(false)
