-- wrk script: POSTs a non-streaming chat completion (a ~600-byte body, like a typical short chat) and prints
-- one JSON line with the run's figures. Environment: BENCH_MODEL (model id), BENCH_HEADERS ("k: v|k2: v2").
local model = os.getenv("BENCH_MODEL") or "mock-gpt-4o"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-client-token"
for pair in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^|]+") do
  local k, v = string.match(pair, "^%s*([^:]+):%s*(.-)%s*$")
  if k then wrk.headers[k] = v end
end
wrk.body = '{"model":"' .. model .. '","temperature":0.2,"max_tokens":128,"messages":[' ..
  '{"role":"system","content":"You are a concise assistant that answers questions about operating LLM gateways in production."},' ..
  '{"role":"user","content":"Our gateway sits in front of several providers. Which three metrics should page the on-call engineer, ' ..
  'and which thresholds would you start with? Please keep the answer short, with one line per metric, and explain briefly ' ..
  'why each one matters for latency-sensitive chat traffic."}]}'

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_s":%.3f,"rps":%.1f,"errors":%d,"non2xx":%d,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    e.connect + e.read + e.write + e.status + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
