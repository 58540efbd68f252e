-- wrk script: POST /cart/items without a cookie, so every request is a new guest adding one line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local products = 100
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"product_id": %d, "quantity": 1}', counter % products + 1)
  return wrk.format(nil, nil, nil, body)
end
