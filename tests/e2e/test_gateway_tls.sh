# `igw serve` with a TLS upstream (SPEC 1.2): a self-signed mock (certificate made here with openssl) works
# when CLIENT_CA_FILE trusts it, and without it the request fails with a 502 saying certificate verification
# failed.
source "$(dirname "$0")/lib.sh"

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$IGW_E2E_TMP/key.pem" -out "$IGW_E2E_TMP/cert.pem" 2>/dev/null
igw_start_mock tls-mock --tls-cert "$IGW_E2E_TMP/cert.pem" --tls-key "$IGW_E2E_TMP/key.pem"
[[ $MOCK_URL == https://* ]] || fail "mock URL should be https: $MOCK_URL"

request='{"model":"openai/mock-gpt-4o","messages":[{"role":"user","content":"over tls"}]}'

igw_start_gateway trusting OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=sk-tls CLIENT_CA_FILE="$IGW_E2E_TMP/cert.pem"
code=$(igw_curl -o "$IGW_E2E_TMP/ok.json" -w '%{http_code}' -H 'content-type: application/json' -d "$request" \
  "$GW_URL/v1/chat/completions" || true)
kill -0 "$GW_PID" 2>/dev/null || fail "igw serve died while proxying to the TLS upstream"
assert_eq 200 "$code" "status with CLIENT_CA_FILE (body: $(cat "$IGW_E2E_TMP/ok.json"))"
assert_eq "$(igw_mock_content "over tls" 16)" "$(jq -r '.choices[0].message.content' "$IGW_E2E_TMP/ok.json")" \
  "content over the TLS upstream"
stream=$(igw_curl -N -H 'content-type: application/json' \
  -d '{"model":"openai/mock-gpt-4o","stream":true,"messages":[{"role":"user","content":"tls stream"}]}' \
  "$GW_URL/v1/chat/completions" || true)
assert_contains "$stream" "data: [DONE]" "stream over the TLS upstream"
ok "TLS upstream trusted through CLIENT_CA_FILE"
igw_stop "$GW_PID"

igw_start_gateway untrusting OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=sk-tls
code=$(igw_curl -o "$IGW_E2E_TMP/bad.json" -w '%{http_code}' -H 'content-type: application/json' -d "$request" \
  "$GW_URL/v1/chat/completions" || true)
kill -0 "$GW_PID" 2>/dev/null || fail "igw serve died while proxying to an untrusted TLS upstream"
assert_eq 502 "$code" "status without the CA (body: $(cat "$IGW_E2E_TMP/bad.json"))"
message=$(jq -r '.error' "$IGW_E2E_TMP/bad.json")
[[ ${message,,} == *"certificate verification failed"* ]] \
  || fail "the 502 should say certificate verification failed: $message"
ok "untrusted TLS upstream -> 502 certificate verification failed"
