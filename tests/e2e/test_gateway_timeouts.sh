# Upstream time limits: a stream must get its headers within CLIENT_RESPONSE_HEADER_TIMEOUT and then an
# event at least every CLIENT_STREAM_IDLE_TIMEOUT; a non-streaming answer (whose headers come with the
# whole answer) is bounded by CLIENT_TIMEOUT only. A limit that passes answers 504 (or an error event
# mid-stream) and counts igw_upstream_errors_total{reason="timeout"}.
source "$(dirname "$0")/lib.sh"

igw_start_mock upstream
igw_start_gateway gateway OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=sk-test TELEMETRY_ENABLE=true \
  TELEMETRY_METRICS_PORT=0 CLIENT_RESPONSE_HEADER_TIMEOUT=300ms CLIENT_TIMEOUT=2s CLIENT_STREAM_IDLE_TIMEOUT=300ms

# call STREAM EXTRA_HEADER: prints "<status> <body>".
call() {
  igw_curl -o "$IGW_E2E_TMP/body" -w '%{http_code}' -H 'content-type: application/json' -H "$2" \
    -d "{\"model\":\"openai/mock-gpt-4o\",\"stream\":$1,\"messages\":[{\"role\":\"user\",\"content\":\"slow one\"}]}" \
    "$GW_URL/v1/chat/completions"
}

assert_eq 200 "$(call false 'x-mock-latency-ms: 800')" "non-streaming answer after 0.8 s (header limit 0.3 s does not apply)"
assert_eq "$(igw_mock_content "slow one" 16)" "$(jq -r '.choices[0].message.content' "$IGW_E2E_TMP/body")" "its content"
ok "a non-streaming answer slower than the header limit still arrives"

assert_eq 504 "$(call false 'x-mock-latency-ms: 3000')" "non-streaming answer after 3 s (CLIENT_TIMEOUT 2 s)"
ok "CLIENT_TIMEOUT bounds a non-streaming call: $(jq -r .error "$IGW_E2E_TMP/body")"

assert_eq 504 "$(call true 'x-mock-latency-ms: 800')" "stream whose headers take 0.8 s"
jq -r .error "$IGW_E2E_TMP/body" | grep -q "timed out waiting for response headers" \
  || fail "stream header timeout message: $(cat "$IGW_E2E_TMP/body")"
ok "CLIENT_RESPONSE_HEADER_TIMEOUT bounds the wait for a stream's headers"

assert_eq 200 "$(call true 'x-mock-token-delay-ms: 800')" "stream with 0.8 s between events"
grep -q '^data: {"error"' "$IGW_E2E_TMP/body" || fail "no error event after a silent upstream: $(cat "$IGW_E2E_TMP/body")"
ok "CLIENT_STREAM_IDLE_TIMEOUT ends a silent stream with an error event"

igw_wait_until 5 bash -c "curl -s http://127.0.0.1:$GW_METRICS_PORT/metrics | grep -q 'igw_upstream_errors_total{.*reason=\"timeout\".*} 3'" \
  || fail "timeouts counted: $(curl -s "http://127.0.0.1:$GW_METRICS_PORT/metrics" | grep igw_upstream_errors_total)"
ok "three timeouts counted with reason=\"timeout\""
