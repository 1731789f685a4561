#!/usr/bin/env bash
# Every route is counted: one request to each, then a real Prometheus scraping the metrics port sees
# llm_requests_total{request_type} and llm_responses_total{request_method, request_path, status_code} with the
# route templates the dashboards group by (never a raw path, so /proxy's paths cannot explode the series).
source "$(dirname "$0")/lib.sh"
command -v prometheus >/dev/null || fail "prometheus is not installed (scripts/bootstrap --test)"

igw_start_mock upstream
igw_start_gateway gateway TELEMETRY_ENABLE=true TELEMETRY_METRICS_PORT=0 MCP_EXPOSE=true \
  OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=sk-openai ANTHROPIC_API_URL="$MOCK_URL" ANTHROPIC_API_KEY=sk-ant

igw_start_prometheus "$GW_METRICS_PORT"
prom_port=$PROM_PORT

json=(-H 'content-type: application/json')
status() { igw_curl -o /dev/null -w '%{http_code}' "$@"; }
assert_eq 200 "$(status "$GW_URL/v1/models")" "GET /v1/models"
assert_eq 200 "$(status "${json[@]}" "$GW_URL/v1/chat/completions" \
  -d '{"model":"openai/mock-gpt-4o","messages":[{"role":"user","content":"hi"}]}')" "POST /v1/chat/completions"
assert_eq 200 "$(status "$GW_URL/proxy/openai/models")" "GET /proxy/openai/models"
assert_eq 200 "$(status "$GW_URL/proxy/openai/models?limit=1")" "GET /proxy/openai/models?limit=1"
assert_eq 200 "$(status "${json[@]}" "$GW_URL/v1/messages" \
  -d '{"model":"anthropic/mock-claude-sonnet","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}')" \
  "POST /v1/messages"
responses_status=$(status "${json[@]}" "$GW_URL/v1/responses" -d '{"model":"openai/mock-gpt-4o","input":"hi"}')
assert_eq 200 "$(status "$GW_URL/v1/mcp/tools")" "GET /v1/mcp/tools"
assert_eq 404 "$(status "$GW_URL/no/such/route")" "GET /no/such/route"
ok "one request to each route"

query() {  # query PROMQL: the instant vector as "labels value" lines, sorted
  curl -sf --max-time 10 "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" |
    jq -r '.data.result[] | "\(.metric | to_entries | map("\(.key)=\(.value)") | join(",")) \(.value[1])"' | sort
}
# /v1/mcp/tools is counted with its own request type; the unmatched route has none.
expected_requests=$(sort <<<"request_type=chat_completions 1
request_type=mcp_tools 1
request_type=messages 1
request_type=models 1
request_type=proxy 2
request_type=responses 1")
got() { query 'sum by (request_type) (llm_requests_total{request_type!=""})'; }
igw_wait_until 30 bash -c "[[ \"\$(curl -sf --max-time 5 'http://127.0.0.1:$prom_port/api/v1/query' \
  --data-urlencode 'query=sum(llm_requests_total{request_type!=\"\"})' | jq -r '.data.result[0].value[1]')\" == 7 ]]" \
  || fail "Prometheus never saw the 7 requests: $(got)"
assert_eq "$expected_requests" "$(got)" "llm_requests_total by request_type"
ok "llm_requests_total counts each request type"

paths=$(query 'sum by (request_method, request_path, status_code) (llm_responses_total)')
for line in "request_method=GET,request_path=/v1/models,status_code=200 1" \
  "request_method=POST,request_path=/v1/chat/completions,status_code=200 1" \
  "request_method=GET,request_path=/proxy/{provider},status_code=200 2" \
  "request_method=POST,request_path=/v1/messages,status_code=200 1" \
  "request_method=POST,request_path=/v1/responses,status_code=$responses_status 1" \
  "request_method=GET,request_path=/v1/mcp/tools,status_code=200 1" \
  "request_method=GET,request_path=unmatched,status_code=404 1"; do
  grep -qxF "$line" <<<"$paths" || fail "llm_responses_total lacks '$line'; it has:
$paths"
done
grep -q 'request_path=/proxy/openai' <<<"$paths" && fail "a raw /proxy path became a label value: $paths"
ok "llm_responses_total by method, route template and status"
