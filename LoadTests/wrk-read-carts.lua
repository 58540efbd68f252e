-- wrk script: GET /cart of one of many existing carts, chosen at random per request.
-- The carts' session cookies come from a file (one per line, written by `loadtest fill`):
--   wrk … -s LoadTests/wrk-read-carts.lua http://127.0.0.1:8100/cart -- cookies.txt
local cookies = {}

init = function(args)
  for line in io.lines(args[1]) do cookies[#cookies + 1] = line end
  math.randomseed(os.time() + tonumber(tostring(cookies):match("0x(%x+)") or "0", 16))
end

request = function()
  return wrk.format("GET", nil, { ["Cookie"] = cookies[math.random(#cookies)] }, nil)
end
