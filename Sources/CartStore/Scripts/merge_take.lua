-- merge_take.lua: step 1 of a merge, on the guest cart: mark it 'merging' under a merge id and
-- hand its lines over. A retried or concurrent merge finds it marked and gets the same merge id
-- and lines, so the user cart can apply them once (merge_apply.lua keys on the merge id).
-- KEYS, common ARGV: see cart_prelude.lua.  ARGV[11] a new merge id  ARGV[12] the user's owner key
-- Reply: {'ok', 0, <HGETALL of the guest cart, with 'mid'>} or {'ok', 0, {}} when there is
-- nothing to merge (no live guest cart).
-- Invariant: the guest cart's lines and version are unchanged.
local absent = missing()
if absent then return absent end
if not is_live() then return {'ok', 0, {}} end
if redis.call('HGET', cart_key, 'st') ~= 'merging' then
  redis.call('HSET', cart_key, 'st', 'merging', 'mid', ARGV[11], 'into', ARGV[12])
end
return {'ok', 0, redis.call('HGETALL', cart_key)}
