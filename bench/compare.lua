-- wrk script for bench/compare.sh: POST a small Messages request. Everything comes from the
-- environment (nothing key-shaped is committed): BENCH_BODY, BENCH_KEY, optional BENCH_ACCEPT
-- (text/event-stream for the streaming runs) and BENCH_HEADERS ("name: value|name: value").
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["content-type"] = "application/json"
wrk.headers["anthropic-version"] = "2023-06-01"
wrk.headers["x-api-key"] = os.getenv("BENCH_KEY")
local accept = os.getenv("BENCH_ACCEPT")
if accept and accept ~= "" then wrk.headers["accept"] = accept end
local extra = os.getenv("BENCH_HEADERS")
if extra then
  for pair in string.gmatch(extra, "[^|]+") do
    local name, value = string.match(pair, "^%s*([^:]+):%s*(.-)%s*$")
    if name then wrk.headers[name] = value end
  end
end
