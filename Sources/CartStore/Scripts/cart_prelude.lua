-- cart_prelude.lua: shared definitions, prepended to every cart script before loading.
--
-- KEYS (one hash tag, so every script runs unchanged on Redis Cluster):
--   KEYS[1] the cart hash   KEYS[2] the write-behind stream   KEYS[3] the rate-limit counter
--   KEYS[4] the deny-list entry of the request's access token (never set for guests)
--   KEYS[5] the request's idempotency record ('…:idem:' with nothing after it: no Idempotency-Key)
-- ARGV (common to every cart script):
--   ARGV[1] now, ms since 1970
--   ARGV[2] how long the cart stays in Redis, in ms: its TTL (guest session TTL or user idle period)
--           and 1 % more, so that reads need not refresh it every time (see read_cart.lua)
--   ARGV[3] id for a new cart          ARGV[4] owner key ('g:<session>' or 'u:<user id>')
--   ARGV[5] session reference ('' for users)
--   ARGV[6] If-Match: the versions the change may go ahead at, between commas (',7,' or ',7,8,';
--           ',' = none does; '' = no precondition)
--   ARGV[7] mutations allowed per minute (0 = unlimited)
--   ARGV[8] units per line cap         ARGV[9] units per cart cap
--   ARGV[10] '1' when a missing cart may be made empty here; '0' when the caller must first
--            look for it in PostgreSQL (read-through): the script then answers 'MISSING'.
--   ARGV[11] ... ARGV[argument_count]: the script's own (see each script)
--   ARGV[#ARGV] the caller's deadline, in Redis's clock (ms since 1970; RedisClient appends it,
--            see RedisScript.takesDeadline): a change that starts later is refused (late()).
-- Cart hash fields: id, sref, st (status), v (version), q (units), c/u (created/updated ms),
--   l:<product id> = '<item id>|<quantity>|<unit cents>|<created>|<updated>|<name>' (a line; the item
--                    id is the UUID's bytes in base64url, the times milliseconds in base 36)
--   s:<product id> = the same, for a line saved for later (not in q, the totals or the caps)
--   A product has at most one of l: and s: (PostgreSQL keeps one row per cart and product).
--   pc = the promotion code the cart holds (absent: none)
--   x = until when Redis keeps the cart (ms since 1970, set with its TTL), so that a read, one
--       HGETALL, tells whether the cart needs a refresh (see RedisCartStore.cart(of:))
--   The owner is in the key; an item is found by the id its line starts with. Fewer, shorter
--   fields keep a cart small (a listpack of about 700 bytes for 5 lines, see the README).
-- Reply: {'ok', <flags: 1 a new line was made, 2 the cart was made>, <HGETALL of the cart>}
--   or {'err', <code>, <detail>}
--   (code 'MISSING': the cart is not in Redis and may not be made here; nothing changed).
-- Invariant: a script that answers 'err' has changed nothing but the rate-limit counter; one that
-- answers 'ok' after a change has bumped v, refreshed the TTL, appended one stream record and
-- published one change notice; one that only refreshed the TTL (keep_alive) kept v and, for a
-- guest, appended one stream record at that v.
local cart_key, stream_key, rate_key = KEYS[1], KEYS[2], KEYS[3]
-- A logged-out token reaches nothing (a guest's entry, '…:revoked:', is never set: not looked up).
if string.sub(KEYS[4], -9) ~= ':revoked:' and redis.call('EXISTS', KEYS[4]) == 1 then
  return {'err', 'CART_006', ''}
end
-- A request retried with its Idempotency-Key gets the first answer again and changes nothing.
local idempotency_key = KEYS[5]
local remembers = string.sub(idempotency_key, -6) ~= ':idem:'
if remembers then
  local first = redis.call('GET', idempotency_key)
  if first then return cjson.decode(first) end
end
local now = ARGV[1]
local deadline = tonumber(ARGV[#ARGV])
local argument_count = #ARGV - 1
local ttl = tonumber(ARGV[2])
local is_guest = string.sub(ARGV[4], 1, 2) == 'g:'
local max_line = tonumber(ARGV[8])
local max_cart = tonumber(ARGV[9])

-- Line times are milliseconds in base 36 (8 characters instead of 13 digits: a smaller cart).
local digits36 = '0123456789abcdefghijklmnopqrstuvwxyz'

local function to36(milliseconds)
  local number = tonumber(milliseconds)
  local text = ''
  repeat
    local digit = number % 36
    text = string.sub(digits36, digit + 1, digit + 1) .. text
    number = (number - digit) / 36
  until number == 0
  return text
end

-- A line's fields; its times come back as numbers (milliseconds).
local function parse_line(value)
  local item, qty, cents, created, updated, name =
    string.match(value, '^([^|]*)|(%d+)|(%d+)|(%w+)|(%w+)|(.*)$')
  return item, tonumber(qty), cents, tonumber(created, 36), tonumber(updated, 36), name
end

-- A line; `created` and `updated` are milliseconds (numbers or decimal text).
local function format_line(item, qty, cents, created, updated, name)
  return item .. '|' .. qty .. '|' .. cents .. '|' .. to36(created) .. '|' .. to36(updated) .. '|' .. name
end

-- {'err', 'CART_010', 'late'} when the change starts after the caller's deadline, else nil. The
-- caller has stopped waiting and answered that the cart service is unavailable: this command
-- reached a Redis that was frozen or too busy, and runs only now. It must change nothing, as
-- the answer said; a client retrying then changes the cart once.
local function late()
  local time = redis.call('TIME')
  if tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) > deadline then
    return {'err', 'CART_010', 'late'}
  end
  return nil
end

-- {'err', 'MISSING'} when the cart is absent and may not be made here, else nil.
local function missing()
  if ARGV[10] == '0' and redis.call('EXISTS', cart_key) == 0 then return {'err', 'MISSING', ''} end
  return nil
end

local cart_made = false

-- Whether the cart is there and still in use ('merging' is active while a merge takes it).
-- A cart that ended (its lines merged into a user's cart) is replaced by the next one made.
local function is_live()
  local status = redis.call('HGET', cart_key, 'st')
  return status == 'active' or status == 'merging'
end

-- `status`: the cart's status when the caller has just read it (false: no cart), else nil.
local function ensure_cart(status)
  if status == nil then status = redis.call('HGET', cart_key, 'st') end
  if status == 'active' or status == 'merging' then return end
  -- An ended cart's fields go; with no cart at all there is nothing to delete.
  if status then redis.call('DEL', cart_key) end
  redis.call('HSET', cart_key, 'id', ARGV[3], 'sref', ARGV[5], 'st', 'active',
    'v', '0', 'q', '0', 'c', now, 'u', now)
  cart_made = true
end

-- {'err', 'CART_008'} when the change names versions (If-Match) and the cart is at none of them.
local function version_conflict()
  if ARGV[6] == '' then return nil end
  local version = redis.call('HGET', cart_key, 'v') or '0'
  if string.find(ARGV[6], ',' .. version .. ',', 1, true) then return nil end
  return {'err', 'CART_008', ''}
end

-- The rate limit, then If-Match: the first reason this change may not run, or nil.
local function precondition_error()
  local limit = tonumber(ARGV[7])
  if limit > 0 then
    local used = redis.call('INCR', rate_key)
    if used == 1 then redis.call('PEXPIRE', rate_key, 60000) end
    if used > limit then return {'err', 'CART_007', tostring(redis.call('PTTL', rate_key))} end
  end
  return version_conflict()
end

-- Item id -> {field, product id} of every line ('l:<product>' in the cart, 's:<product>' saved);
-- a cart that ended has none (its owner's cart is the new one that replaces it).
local function line_index()
  local index = {}
  if not is_live() then return index end
  local all = redis.call('HGETALL', cart_key)
  for position = 1, #all, 2 do
    local kind = string.sub(all[position], 1, 2)
    if kind == 'l:' or kind == 's:' then
      local item = string.match(all[position + 1], '^[^|]*')
      index[item] = {all[position], string.sub(all[position], 3)}
    end
  end
  return index
end

-- The field of item `item_id`'s line and the product id, or nil when the cart has no such item.
local function line_field(item_id)
  local found = line_index()[item_id]
  if not found then return nil end
  return found[1], found[2]
end

-- {'err', 'CART_009', '<product id>:<stock or off>'} when a change would grow the line in
-- `field` from `old_qty` to `qty` units past what its product may sell, as the caller read the
-- catalog: `limit` is 'off' (the product is off sale), '' (stock not tracked) or the units in
-- stock, and is for the line of product `product_id` ('' or another product's: no limit known,
-- as for a line whose id was made before ids named their product). Lowering a line never is.
local function growth_refused(field, old_qty, qty, product_id, limit)
  if qty <= old_qty or product_id == '' or field ~= 'l:' .. product_id then return nil end
  if limit == 'off' or (limit ~= '' and qty > tonumber(limit)) then
    return {'err', 'CART_009', product_id .. ':' .. limit}
  end
  return nil
end

-- Why a change may not run (it comes too late, the cart is missing here, the rate limit,
-- If-Match), or nil. Every script that changes a cart starts with it.
local function change_refused()
  return late() or missing() or precondition_error()
end

local function units()
  return tonumber(redis.call('HGET', cart_key, 'q') or '0')
end

-- Appends the write-behind record of the cart at `version`: the flusher writes the cart as it is then.
local function append_record(version)
  redis.call('XADD', stream_key, '*', 'cart', cart_key, 'v', version)
end

-- Keeps the cart in Redis for `ttl` from now, and notes until when in its field x, in one HSET
-- with the other fields given (`...`: field, value, field, value …).
local function set_lifetime(...)
  redis.call('PEXPIRE', cart_key, ARGV[2])
  redis.call('HSET', cart_key, 'x', string.format('%d', tonumber(now) + ttl), ...)
end

-- Refreshes the TTL of a cart that did not change; a guest's cart also gets a write-behind record,
-- so that PostgreSQL's expires_at (which the expiry sweep reads) moves with it.
local function keep_alive()
  if ttl <= 0 then return end
  set_lifetime()
  if is_guest then append_record(redis.call('HGET', cart_key, 'v')) end
end

-- Ends a change: bump the version, write the change time and any fields the change still has to
-- write (`...`: field, value pairs; one HSET for all of them), refresh the TTL, append the
-- write-behind record, tell the live streams of every server process (SPUBLISH '<version> <cart
-- key>' on the shard's channel, 'hc:{<shard>}:ev', in the cart's slot), and keep the answer for
-- the request's Idempotency-Key (24 h).
local function commit(new_line, ...)
  -- As text once: it goes into the record and the notice.
  local version = tostring(redis.call('HINCRBY', cart_key, 'v', 1))
  if ttl > 0 then
    set_lifetime('u', now, ...)
  else
    redis.call('HSET', cart_key, 'u', now, ...)
  end
  append_record(version)
  redis.call('SPUBLISH', string.sub(stream_key, 1, -3) .. 'ev', version .. ' ' .. cart_key)
  local reply = {'ok', (new_line and 1 or 0) + (cart_made and 2 or 0), redis.call('HGETALL', cart_key)}
  if remembers then redis.call('SET', idempotency_key, cjson.encode(reply), 'PX', 86400000) end
  return reply
end

