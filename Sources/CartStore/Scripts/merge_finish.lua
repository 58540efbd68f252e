-- merge_finish.lua: step 3 of a merge, on the guest cart: once the user cart holds the lines,
-- the guest cart ends (status 'expired', no lines) and the write-behind record tells PostgreSQL.
-- KEYS, common ARGV: see cart_prelude.lua.  ARGV[11] the merge id from merge_take.lua
-- Reply: {'ok', 0, <HGETALL>} or {'ok', 0, {}} when the cart is not this merge's any more.
-- Invariant: only the merge that took the cart ends it; ending twice changes nothing.
if redis.call('HGET', cart_key, 'mid') ~= ARGV[11] or redis.call('HGET', cart_key, 'st') ~= 'merging' then
  return {'ok', 0, {}}
end
local fields = redis.call('HKEYS', cart_key)
for _, field in ipairs(fields) do
  local kind = string.sub(field, 1, 2)
  if kind == 'l:' or kind == 's:' then redis.call('HDEL', cart_key, field) end
end
redis.call('HDEL', cart_key, 'mid', 'into')
redis.call('HSET', cart_key, 'st', 'expired', 'q', 0)
return commit(false)
