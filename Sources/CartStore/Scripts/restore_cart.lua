-- restore_cart.lua: put a cart read from PostgreSQL back into Redis (read-through), unless a
-- concurrent request already did: the first restore wins and the others leave it as it is.
-- KEYS, common ARGV and reply: see cart_prelude.lua (ARGV[10] is not used).
-- ARGV[11] cart id  ARGV[12] status  ARGV[13] version  ARGV[14] created ms  ARGV[15] updated ms
-- ARGV[16] the promotion code the cart holds ('' for none)
-- ARGV[17], ...: 8 per line: product id, item id, quantity, unit cents, created ms, updated ms, name,
--   '1' when saved for later else '0'
-- Invariant: a cart already in Redis is never overwritten; a restored cart keeps its version
-- (PostgreSQL already holds its contents; a guest's gets a write-behind record for its new expiry).
if redis.call('EXISTS', cart_key) == 0 then
  local units = 0
  local fields = {'id', ARGV[11], 'sref', ARGV[5], 'st', ARGV[12], 'v', ARGV[13],
    'c', ARGV[14], 'u', ARGV[15]}
  if ARGV[16] ~= '' then
    fields[#fields + 1] = 'pc'
    fields[#fields + 1] = ARGV[16]
  end
  for index = 17, argument_count, 8 do
    local product_id, item, saved = ARGV[index], ARGV[index + 1], ARGV[index + 7] == '1'
    fields[#fields + 1] = (saved and 's:' or 'l:') .. product_id
    fields[#fields + 1] = format_line(item, ARGV[index + 2], ARGV[index + 3], ARGV[index + 4], ARGV[index + 5], ARGV[index + 6])
    if not saved then units = units + tonumber(ARGV[index + 2]) end
  end
  fields[#fields + 1] = 'q'
  fields[#fields + 1] = units
  redis.call('HSET', cart_key, unpack(fields))
  keep_alive()
end
return {'ok', 0, redis.call('HGETALL', cart_key)}
