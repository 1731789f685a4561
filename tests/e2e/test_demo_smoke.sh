# `igw demo` on free ports: the API lists the mock's models under both demo providers and the MCP tools of
# the mock's MCP server, /metrics answers and fills with the synthetic traffic (MCP tool calls included), and
# SIGTERM stops everything with exit code 0.
source "$(dirname "$0")/lib.sh"

log="$IGW_E2E_TMP/demo.log"
# Provider settings of the environment stay out of the demo: only the mock is asked.
OLLAMA_API_URL=http://127.0.0.1:9/v1 ANTHROPIC_API_KEY=sk-ant-real OPENAI_API_KEY=sk-real \
  "$IGW_BIN" demo --port 0 --metrics-port 0 --mock-port 0 --rate 20 >"$log" 2>"$IGW_E2E_TMP/demo-stderr.log" &
pid=$!
IGW_E2E_PIDS+=("$pid")
port=$(igw_wait_log_port "$log" '.logger=="server"' "$pid")
metrics_port=$(jq -R -r 'fromjson? | select(.logger=="server" and .port) | .metrics_port' "$log" | head -n 1)
[[ $metrics_port =~ ^[0-9]+$ && $metrics_port != 0 ]] || fail "demo should log a metrics port, got '$metrics_port'"

models=$(igw_curl "http://127.0.0.1:$port/v1/models")
jq -e '[.data[].id] | index("openai/mock-gpt-4o") and index("groq/mock-gpt-4o")' <<<"$models" >/dev/null \
  || fail "/v1/models should list openai/ and groq/ mock models: $models"
jq -e '[.data[].id | split("/")[0]] | unique == ["groq", "openai"]' <<<"$models" >/dev/null \
  || fail "/v1/models should list only the demo providers: $models"
ok "curl /v1/models answers with both demo providers, and only them"

# The synthetic mix: both providers, an upstream 404, a gateway 400 and function tool calls.
mix_seen() {
  local m
  m=$(igw_curl "http://127.0.0.1:$metrics_port/metrics") || return 1
  grep -q '^llm_requests_total{provider="openai"' <<<"$m" && grep -q '^llm_requests_total{provider="groq"' <<<"$m" &&
    grep -q '^llm_responses_total{.*status_code="404"' <<<"$m" && grep -q '^llm_responses_total{.*status_code="400"' <<<"$m" &&
    grep -q '^llm_tool_calls_total{.*tool_type="function"' <<<"$m"
}
igw_wait_until 20 mix_seen || fail "/metrics on port $metrics_port never showed the synthetic mix (openai and groq \
requests, a 404, a 400, function tool calls): $(igw_curl "http://127.0.0.1:$metrics_port/metrics" | grep '^llm_' | head -20)"
ok "/metrics answers and counts the synthetic traffic mix"

mock_port=$(sed -n 's|.*served by a mock at http://127\.0\.0\.1:\([0-9]*\)/v1.*|\1|p' "$IGW_E2E_TMP/demo-stderr.log")
[[ $mock_port =~ ^[0-9]+$ ]] || fail "the banner should name the mock's port: $(cat "$IGW_E2E_TMP/demo-stderr.log")"
mcp_url="http://127.0.0.1:$mock_port/mcp"

# The mock's MCP server on the wire: initialize answers JSON with a session header, the session lists the tools.
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}}'
mcp_post() { igw_curl -D "$IGW_E2E_TMP/mcp-headers" -H 'content-type: application/json' \
  -H 'accept: application/json, text/event-stream' "$@" "$mcp_url"; }
answer=$(mcp_post -d "$init")
jq -e '.result.protocolVersion == "2025-03-26" and .result.serverInfo.name == "igw-mock"' <<<"$answer" >/dev/null \
  || fail "initialize on $mcp_url: $answer"
grep -qi '^content-type: application/json' "$IGW_E2E_TMP/mcp-headers" || fail "initialize should answer JSON: $(cat "$IGW_E2E_TMP/mcp-headers")"
session=$(tr -d '\r' <"$IGW_E2E_TMP/mcp-headers" | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')
[[ $session =~ ^[0-9a-f]{32}$ ]] || fail "initialize should answer an Mcp-Session-Id header: $(cat "$IGW_E2E_TMP/mcp-headers")"
status=$(mcp_post -o /dev/null -w '%{http_code}' -H "mcp-session-id: $session" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}')
assert_eq 202 "$status" "notifications/initialized status"
listed=$(mcp_post -H "mcp-session-id: $session" -d '{"jsonrpc":"2.0","id":2,"method":"tools/list"}')
jq -e '[.result.tools[].name] == ["get_weather", "lookup_order"]' <<<"$listed" >/dev/null || fail "tools/list: $listed"
status=$(mcp_post -o /dev/null -w '%{http_code}' -d '{"jsonrpc":"2.0","id":3,"method":"tools/list"}')
assert_eq 400 "$status" "tools/list without a session: status"
assert_eq 405 "$(igw_curl -o /dev/null -w '%{http_code}' "$mcp_url")" "GET /mcp status"
ok "the mock's MCP server at /mcp: initialize, session header, 202 notification, tools/list, 400 and 405"

# The gateway offers the mock's MCP tools and serves their catalog (MCP_EXPOSE).
catalog=$(igw_curl "http://127.0.0.1:$port/v1/mcp/tools")
jq -e '[.data[].name] | index("mcp_get_weather") and index("mcp_lookup_order")' <<<"$catalog" >/dev/null \
  || fail "/v1/mcp/tools should list mcp_get_weather and mcp_lookup_order: $catalog"
jq -e --arg url "$mcp_url" '.servers | length == 1 and .[0].url == $url and .[0].state == "up" and .[0].name == "igw-mock"' \
  <<<"$catalog" >/dev/null || fail "/v1/mcp/tools should show the mock's MCP server $mcp_url up: $catalog"
chat=$(igw_curl "http://127.0.0.1:$port/v1/chat/completions" -H 'content-type: application/json' \
  -H 'x-mock-tool: mcp_get_weather' -H 'x-mock-tool-arguments: {"city":"Oslo"}' \
  -d '{"model":"openai/mock-gpt-4o","messages":[{"role":"user","content":"weather in Oslo?"}]}')
jq -e '.choices[0].message.content == "Tool results: Sunny in Oslo, 21 C"' <<<"$chat" >/dev/null \
  || fail "a chat calling mcp_get_weather should quote the tool's answer: $chat"
ok "/v1/mcp/tools lists the mock's MCP tools with the server up; a chat calling one quotes its answer"

# The traffic makes the model call them; some lookups fail on purpose.
metric_sum() {  # metric_sum METRICS_TEXT LINE_REGEX: the sum of the matching samples
  awk -v re="$2" '$0 ~ re {s += $NF} END {print s + 0}' <<<"$1"
}
mcp_calls_seen() {
  local m
  m=$(igw_curl "http://127.0.0.1:$metrics_port/metrics") || return 1
  (($(metric_sum "$m" '^llm_tool_calls_total\{.*tool_type="mcp"') > 0)) &&
    (($(metric_sum "$m" '^llm_tool_call_duration_count\{.*tool_type="mcp"') > 0)) &&
    (($(metric_sum "$m" '^llm_tool_calls_failure_total\{.*tool_name="mcp_lookup_order".*tool_type="mcp"') > 0)) &&
    (($(metric_sum "$m" '^llm_tool_calls_success_total\{.*tool_name="mcp_get_weather".*tool_type="mcp"') > 0))
}
igw_wait_until 30 mcp_calls_seen || fail "/metrics never showed MCP tool calls (successful get_weather, failing \
lookup_order, durations): $(igw_curl "http://127.0.0.1:$metrics_port/metrics" | grep '^llm_tool' | head -20)"
ok "MCP tool calls counted: llm_tool_calls_total and llm_tool_call_duration_count with tool_type=\"mcp\", failures too"

banner=$(cat "$IGW_E2E_TMP/demo-stderr.log")
assert_contains "$banner" "http://127.0.0.1:$port/v1" "banner names the API"
assert_contains "$banner" "http://127.0.0.1:$metrics_port/metrics" "banner names the metrics"
ok "banner on stderr"

# The banner's curl lines work as printed (continuation lines joined).
tour=$(awk '/^Try:/ {on=1; next} on' "$IGW_E2E_TMP/demo-stderr.log" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | grep '^  curl ')
[[ $(wc -l <<<"$tour") -ge 3 ]] || fail "the banner's tour lists fewer than 3 curl lines: $tour"
while read -r line; do
  out=$(bash -c "${line/curl/curl --max-time 20 -sS --fail}") || fail "the banner's line failed: $line"
  [[ -n $out ]] || fail "the banner's line printed nothing: $line"
done <<<"$tour"
ok "the banner's curl lines work as printed"

# Quiet: no provider is asked that is not there (no "listing models failed" warnings).
grep -q '"listing models failed' "$log" && fail "the demo logged a failing provider: $(grep 'listing models failed' "$log" | head -2)"
ok "no failing provider in the log"

igw_stop "$pid" TERM 20
assert_eq 0 "$IGW_STOP_RC" "demo exit code after SIGTERM"
ok "SIGTERM exits 0"
