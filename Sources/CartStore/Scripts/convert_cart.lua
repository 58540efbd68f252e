-- convert_cart.lua: hand the cart to a checkout (status 'converted', its lines kept as the
-- record of what was bought), or take it back when the checkout could not be stored.
-- KEYS, common ARGV and reply: see cart_prelude.lua. ARGV[6] (If-Match) is the version the
-- checkout read (convert) or the version the conversion gave (reopen).
-- ARGV[11] 'convert' or 'reopen'
-- Invariant: only an active cart still at the checkout's version converts, and only a
-- converted cart still at its conversion's version reopens; either bumps the version and
-- appends one write-behind record. The owner's next request replaces a converted cart with a
-- new empty one (see ensure_cart).
local refused = change_refused()
if refused then return refused end
local status = redis.call('HGET', cart_key, 'st')
local from, to = 'active', 'converted'
if ARGV[11] == 'reopen' then from, to = 'converted', 'active' end
if status ~= from then return {'err', 'CART_013', status or ''} end
redis.call('HSET', cart_key, 'st', to)
return commit(false)
