# `igw demo` on free ports: the API lists the mock's models under both demo providers, /metrics answers and
# fills with the synthetic traffic, and SIGTERM stops everything with exit code 0.
source "$(dirname "$0")/lib.sh"

log="$IGW_E2E_TMP/demo.log"
"$IGW_BIN" demo --port 0 --metrics-port 0 --mock-port 0 --rate 20 >"$log" 2>"$IGW_E2E_TMP/demo-stderr.log" &
pid=$!
IGW_E2E_PIDS+=("$pid")
port=$(igw_wait_log_port "$log" '.logger=="server"' "$pid")
metrics_port=$(jq -R -r 'fromjson? | select(.logger=="server" and .port) | .metrics_port' "$log" | head -n 1)
[[ $metrics_port =~ ^[0-9]+$ && $metrics_port != 0 ]] || fail "demo should log a metrics port, got '$metrics_port'"

models=$(igw_curl "http://127.0.0.1:$port/v1/models")
jq -e '[.data[].id] | index("openai/mock-gpt-4o") and index("groq/mock-gpt-4o")' <<<"$models" >/dev/null \
  || fail "/v1/models should list openai/ and groq/ mock models: $models"
ok "curl /v1/models answers with both demo providers"

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

banner=$(cat "$IGW_E2E_TMP/demo-stderr.log")
assert_contains "$banner" "http://127.0.0.1:$port/v1" "banner names the API"
assert_contains "$banner" "http://127.0.0.1:$metrics_port/metrics" "banner names the metrics"
ok "banner on stderr"

igw_stop "$pid" TERM 20
assert_eq 0 "$IGW_STOP_RC" "demo exit code after SIGTERM"
ok "SIGTERM exits 0"
