-- wrk script for bench_rpc.sh: one JSON-RPC POST per request, with the
-- method and params from the environment and HTTP Basic credentials.
-- Latency percentiles are printed by done() in a form the shell parses.
local method = os.getenv("RPC_METHOD") or "getblockcount"
local params = os.getenv("RPC_PARAMS") or "[]"
local auth = os.getenv("RPC_AUTH") or ""

wrk.method = "POST"
wrk.path = "/"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic " .. auth
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"' .. method ..
    '","params":' .. params .. '}'

-- No response() hook: it would run Lua per reply and slow the client;
-- wrk counts non-2xx replies itself.
function done(summary, latency, requests)
   io.write(string.format("RESULT reqs=%d secs=%.3f rps=%.1f p50_us=%d p99_us=%d non2xx=%d errors=%d\n",
      summary.requests, summary.duration / 1e6,
      summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(99),
      summary.errors.status, summary.errors.connect + summary.errors.read +
      summary.errors.write + summary.errors.timeout))
end
