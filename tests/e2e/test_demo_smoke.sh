# `igw demo` on free ports: the API lists the mock's models under both demo providers, /metrics answers and
# fills with the synthetic traffic, and SIGTERM stops everything with exit code 0.
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
