#!/usr/bin/env bash
# igw's metrics and logs against a real Prometheus: after mixed traffic (streaming, non-streaming, a 5xx share,
# tool calls) every PromQL query of the observability page returns data, the token counters equal the usage
# the upstream reported, promtool's lint says only what the page's own names imply, a cancelled stream leaves
# the in-flight gauge at 0, and the JSON log lines answer the page's LogQL queries.
source "$(dirname "$0")/lib.sh"
command -v prometheus >/dev/null || fail "prometheus is not installed (scripts/bootstrap --test)"

secret_key=sk-provider-secret-4f1d2c
client_token=client-bearer-secret-9a8b7c
igw_start_mock upstream --error-rate 0.15 --error-status 503 --seed 7
igw_start_gateway gateway ENVIRONMENT=development TELEMETRY_ENABLE=true TELEMETRY_METRICS_PORT=0 \
  OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY="$secret_key" GROQ_API_URL="$MOCK_URL" GROQ_API_KEY="$secret_key"
metrics_port=$(jq -R -r 'fromjson? | .metrics_port // empty' "$GW_LOG" | head -n 1)
[[ -n $metrics_port && $metrics_port != 0 ]] || fail "no metrics_port in the gateway's start-up log"
[[ $metrics_port != "$GW_PORT" ]] || fail "metrics share the API port"
metrics_url="http://127.0.0.1:$metrics_port/metrics"
igw_curl "$GW_URL/metrics" -o /dev/null -w '%{http_code}' | grep -q 404 || fail "/metrics answers on the API port"

# A real Prometheus scraping the metrics port every second.
igw_start_prometheus "$metrics_port"
prom_port=$PROM_PORT

# Mixed traffic; the usage each response reports is written down (chat runs in a subshell) and summed after.
: >"$IGW_E2E_TMP/usage"
chat() {  # chat MODEL PROMPT [extra JSON fields]: a non-streaming request; prints the HTTP status
  local body
  body=$(igw_curl -o "$IGW_E2E_TMP/resp" -w '%{http_code}' -H "Authorization: Bearer $client_token" \
    -H 'content-type: application/json' "$GW_URL/v1/chat/completions" \
    -d "{\"model\":\"$1\",\"messages\":[{\"role\":\"user\",\"content\":\"$2\"}]${3:-}}")
  if [[ $body == 200 ]]; then jq '.usage.total_tokens' "$IGW_E2E_TMP/resp" >>"$IGW_E2E_TMP/usage"; fi
  echo "$body"
}
stream() {  # stream MODEL PROMPT: a streaming request; adds the usage of its usage event
  igw_curl -N -H 'content-type: application/json' "$GW_URL/v1/chat/completions" \
    -d "{\"model\":\"$1\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"$2\"}]}" >"$IGW_E2E_TMP/stream"
  local u
  u=$(sed -n 's/^data: //p' "$IGW_E2E_TMP/stream" | grep -v '^\[DONE\]$' | jq -s '[.[] | objects | .usage? | select(. != null) | .total_tokens] | add // 0' 2>/dev/null || echo 0)
  echo "$u" >>"$IGW_E2E_TMP/usage"
}
tools='"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]'
statuses=""
for i in $(seq 1 40); do
  statuses+=" $(chat openai/mock-gpt-4o "hello number $i")"
  stream groq/mock-gpt-4o-mini "stream number $i"
  if ((i % 4 == 0)); then statuses+=" $(chat openai/mock-gpt-4o "please use the tool get_weather for Paris" ",$tools")"; fi
  # Tool calls a client could not run: a tool nobody offered, arguments that are not JSON.
  if ((i % 8 == 0)); then statuses+=" $(chat openai/mock-gpt-4o "now hallucinate a tool" ",$tools")"; fi
  if ((i % 8 == 4)); then statuses+=" $(chat openai/mock-gpt-4o "use the tool with broken arguments" ",$tools")"; fi
done
[[ $statuses == *503* ]] || fail "the traffic produced no upstream 5xx (statuses:$statuses)"
[[ $statuses == *200* ]] || fail "the traffic produced no success (statuses:$statuses)"
igw_curl "$GW_URL/v1/models" >/dev/null
igw_curl -H 'content-type: application/json' "$GW_URL/v1/chat/completions" -d '{"model":"nope/x","messages":[]}' >/dev/null

# Give Prometheus a few scrapes after the traffic.
sleep 4
promql() {  # promql EXPR: the number of series in the instant result
  curl -sf --max-time 10 "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" | jq '.data.result | length'
}
# The page's queries, verbatim: example queries, alert expressions without their thresholds, the panel table.
page_queries=(
  'sum by (provider) (rate(llm_requests_total[5m]))'
  'histogram_quantile(0.95, sum by (le, provider) (rate(llm_request_duration_bucket[5m])))'
  'sum by (provider) (rate(llm_responses_total{status_code=~"5.."}[5m])) / sum by (provider) (rate(llm_responses_total[5m]))'
  'sum by (tool_name) (rate(llm_tool_calls_failure_total[5m])) / sum by (tool_name) (rate(llm_tool_calls_total[5m]))'
  'sum by (model) (rate(llm_usage_total_tokens[1m])) * 60'
  'histogram_quantile(0.95, sum by (le, provider) (rate(llm_request_duration_bucket[5m])))'
  'sum by (tool_name) (rate(llm_tool_calls_failure_total[10m])) / sum by (tool_name) (rate(llm_tool_calls_total[10m]))'
  'sum by (provider) (rate(llm_requests_total[1m]))'
  'sum by (tool_name) (rate(llm_tool_calls_success_total[5m])) / sum by (tool_name) (rate(llm_tool_calls_total[5m]))'
)
for q in "${page_queries[@]}"; do
  n=$(promql "$q") || fail "Prometheus rejected: $q"
  ((n > 0)) || fail "empty result through Prometheus for the page's query: $q"
  ok "page query has $n series: $q"
done
for q in 'target_info' 'igw_build_info' 'sum(igw_time_to_first_token_seconds_count)' 'process_resident_memory_bytes' \
  'sum by (provider) (rate(igw_gateway_overhead_seconds_count[1m]))' 'igw_upstream_errors_total{reason="status_5xx"}'; do
  (($(promql "$q") > 0)) || fail "empty result for igw's own query: $q"
done
failures=$(curl -sf "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode 'query=sum by (tool_name, error_type) (llm_tool_calls_failure_total)' |
  jq -r '[.data.result[] | "\(.metric.tool_name):\(.metric.error_type)"] | sort | join(" ")')
assert_eq "get_weather:invalid_arguments no_such_tool:unknown_tool" "$failures" "function tool-call failures by reason"
[[ $(curl -sf "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode 'query=target_info' |
  jq -r '.data.result[0].metric.service_name') == inference-gateway ]] || fail "target_info lacks service_name"

# Token counters equal the usage the upstream reported.
usage_total=$(awk '{s += $1} END {printf "%d", s}' "$IGW_E2E_TMP/usage")
exposition=$(igw_curl "$metrics_url")
counted=$(awk '/^llm_usage_total_tokens\{/ {s += $2} END {printf "%d", s}' <<<"$exposition")
assert_eq "$usage_total" "$counted" "llm_usage_total_tokens vs the usage in the responses"
prom_counted=$(curl -sf "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode 'query=sum(llm_usage_total_tokens)' |
  jq -r '.data.result[0].value[1]')
assert_eq "$usage_total" "$prom_counted" "sum(llm_usage_total_tokens) in Prometheus"
ok "token counters match the upstream's usage ($usage_total)"

# promtool's lint: only the _total notes the page's own counter names imply.
lint=$(promtool check metrics <<<"$exposition" 2>&1 || true)
expected_lint=$(printf '%s\n' \
  'llm_usage_completion_tokens counter metrics should have "_total" suffix' \
  'llm_usage_prompt_tokens counter metrics should have "_total" suffix' \
  'llm_usage_total_tokens counter metrics should have "_total" suffix')
assert_eq "$expected_lint" "$(sed 's/^ *//' <<<"$lint" | sort)" "promtool check metrics"
ok "promtool check metrics: only the page's _total notes"

# A client that cancels a stream: the in-flight gauge settles at 0.
igw_start_mock slow --tokens 200 --token-delay 20ms
slow_url=$MOCK_URL
# Route a stream through a second gateway pointed at the slow upstream, and hang up after 0.5 s.
igw_start_gateway gateway2 TELEMETRY_ENABLE=true TELEMETRY_METRICS_PORT=0 OPENAI_API_URL="$slow_url" OPENAI_API_KEY=k
metrics2=$(jq -R -r 'fromjson? | .metrics_port // empty' "$GW_LOG" | head -n 1)
# Hang up once the first event has arrived (head exits; curl's next write fails and it closes).
curl -sN --max-time 20 -H 'content-type: application/json' "$GW_URL/v1/chat/completions" \
  -d '{"model":"openai/mock-gpt-4o","stream":true,"messages":[{"role":"user","content":"a long one"}]}' 2>/dev/null |
  head -n 2 >/dev/null || true
settled() { [[ $(igw_curl "http://127.0.0.1:$metrics2/metrics" | awk '/^igw_requests_in_flight/ {s += $2} END {printf "%d", s}') == 0 ]]; }
igw_wait_until 5 settled || fail "in-flight gauge did not return to 0 after a cancelled stream"
counted() { igw_curl "http://127.0.0.1:$metrics2/metrics" | grep -q '^igw_client_disconnects_total{provider="openai"} 1'; }
igw_wait_until 5 counted || fail "the cancelled stream was not counted as a client disconnect"
ok "cancelled stream: in-flight back to 0, disconnect counted"

# Logs: every line is JSON, and jq finds what the page's LogQL queries find.
log=$GW_LOG  # the second gateway's
log1=$IGW_E2E_TMP/gateway.log
jq -R -e 'fromjson | type == "object"' "$log1" >/dev/null 2>&1 || fail "a gateway log line is not a JSON object"
(($(jq -c 'select(.level=="error")' "$log1" | wc -l) > 0)) || fail 'no line for {..} | json | level="error"'
(($(jq -c 'select((.status_code // 0) >= 500)' "$log1" | wc -l) > 0)) || fail 'no line for | json | status_code >= 500'
jq -e -s 'all(.[]; has("timestamp") and has("level") and has("message") and has("logger"))' "$log1" >/dev/null \
  || fail "a log line lacks timestamp/level/message/logger"
rid=e2e-request-id-0001
igw_curl -H "X-Request-Id: $rid" -H 'content-type: application/json' "$GW_URL/v1/chat/completions" \
  -d '{"model":"openai/mock-gpt-4o","messages":[{"role":"user","content":"find me in the logs"}]}' >/dev/null
igw_wait_until 5 grep -q "$rid" "$log" || fail "request id $rid never logged"
lines=$(jq -c --arg r "$rid" 'select(.request_id==$r)' "$log")
(($(wc -l <<<"$lines") >= 1)) || fail "request_id filter found nothing"
jq -e -s 'all(.[]; .provider=="openai")' <<<"$lines" >/dev/null || fail "request_id filter found lines of another request"
(($(jq -c 'select(.logger=="http")' <<<"$lines" | wc -l) == 1)) || fail "not exactly one access line for $rid"
ok "log lines answer the page's LogQL queries"

# No secret ever reaches a log line, at any level.
if grep -q -e "$secret_key" -e "$client_token" "$log1" "$log"; then fail "a secret appeared in the logs"; fi
ok "no API key or bearer token in the logs"

# Metrics off: the gateway listens on its API port only.
igw_start_gateway quiet OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=k
# (one acceptor per worker, all on the API port)
listening=$(ss -ltnpH 2>/dev/null | grep "pid=$GW_PID," | awk '{print $4}' | sort -u | tr '\n' ' ')
assert_eq "127.0.0.1:$GW_PORT " "$listening" "addresses a gateway with telemetry off listens on"
ok "telemetry off: no metrics listener"
