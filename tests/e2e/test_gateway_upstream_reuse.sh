# Pooled upstream connections the provider has closed meanwhile: the mock drops connections idle for
# 300 ms. A request after 0.6 s finds its pooled connection closed and is retried once on a fresh one;
# after 1.5 s the pool notices the close before sending. Every request succeeds, none is sent twice.
source "$(dirname "$0")/lib.sh"

igw_start_mock upstream --keepalive-timeout 300ms
igw_start_gateway gateway OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=sk-test SERVER_WORKERS=1

chat() {
  igw_curl -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
    -d "{\"model\":\"openai/mock-gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"$1\"}]}" \
    "$GW_URL/v1/chat/completions"
}

assert_eq 200 "$(chat one)" "first request"
sleep 0.6
assert_eq 200 "$(chat two)" "request on a connection the provider closed 0.3 s ago"
sleep 1.5
assert_eq 200 "$(chat three)" "request after the pool's own check"
assert_eq 200 "$(chat four)" "request right after (connection reused)"
ok "all requests answered across provider-side closes"

# The mock saw each request exactly once (no duplicate sends).
count=$(igw_curl "http://127.0.0.1:$MOCK_PORT/mock/requests" | jq '[.requests[] | select(.path == "/v1/chat/completions")] | length')
assert_eq 4 "$count" "chat requests the provider received"
ok "no request was sent twice"
