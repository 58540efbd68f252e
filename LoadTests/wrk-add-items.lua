-- wrk script: POST /cart/items, one unit of one of five products to one of many existing carts.
-- The carts' session cookies come from a file (one per line, written by `loadtest fill`):
--   wrk … -s LoadTests/wrk-add-items.lua http://127.0.0.1:8100/cart/items -- cookies.txt
-- Spread over 10,000 carts, a 15 s run adds about ten units to each: no cap is reached.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local cookies = {}
local counter = 0

init = function(args)
  for line in io.lines(args[1]) do cookies[#cookies + 1] = line end
  math.randomseed(os.time() + tonumber(tostring(cookies):match("0x(%x+)") or "0", 16))
end

request = function()
  counter = counter + 1
  local body = string.format('{"product_id": %d, "quantity": 1}', counter % 5 + 1)
  return wrk.format(nil, nil, { ["Cookie"] = cookies[math.random(#cookies)] }, body)
end
