-- reprice.lua: bring line prices up to date (POST /cart/validate?apply=true).
-- KEYS, common ARGV and reply: see cart_prelude.lua.
-- ARGV[11], ...: pairs of product id and current unit price in cents
-- Invariant: only the price snapshot of lines whose price differs changes; no change, no new
-- version.
local refused = change_refused()
if refused then return refused end
local changed = false
for index = 11, argument_count, 2 do
  local field = 'l:' .. ARGV[index]
  local line = redis.call('HGET', cart_key, field)
  if line then
    local item, qty, cents, created, _updated, name = parse_line(line)
    if cents ~= ARGV[index + 1] then
      redis.call('HSET', cart_key, field, format_line(item, qty, ARGV[index + 1], created, now, name))
      changed = true
    end
  end
end
if changed then return commit(false) end
return {'ok', 0, redis.call('HGETALL', cart_key)}
