#!/usr/bin/env bash
# /proxy/{provider}/{path} for endpoints igw knows nothing about (SPEC 1.1): the request reaches the provider's
# base URL with its path, query and body as sent, the provider's credential instead of the caller's, and the
# answer comes back byte for byte with its status and content type.
source "$(dirname "$0")/lib.sh"

igw_start_mock upstream
igw_start_gateway gw OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=sk-provider-key

# A GET: the same bytes as asking the provider directly.
direct=$(igw_curl "$MOCK_URL/models")
proxied=$(igw_curl -H 'Authorization: Bearer caller-token' "$GW_URL/proxy/openai/models")
assert_eq "$direct" "$proxied" "GET /proxy/openai/models against GET <provider>/models"
ok "a GET comes back byte for byte"

# A POST to an endpoint the mock does not serve: its 404 answer relayed as it is.
igw_curl -X DELETE "http://127.0.0.1:$MOCK_PORT/mock/requests" >/dev/null
body='{"model":"text-embedding-3-small","input":["caf\u00e9 \"quoted\"",  "two"],"dimensions":8}'
curl -sS --max-time 20 -o "$IGW_E2E_TMP/direct" -D "$IGW_E2E_TMP/direct.h" -H 'content-type: application/json' \
  --data-binary "$body" "$MOCK_URL/embeddings?user=u1"
igw_curl -X DELETE "http://127.0.0.1:$MOCK_PORT/mock/requests" >/dev/null
curl -sS --max-time 20 -o "$IGW_E2E_TMP/proxied" -D "$IGW_E2E_TMP/proxied.h" -H 'content-type: application/json' \
  -H 'Authorization: Bearer caller-token' -H 'x-api-key: caller-key' -H 'X-Custom-Trace: t-123' \
  --data-binary "$body" "$GW_URL/proxy/openai/embeddings?user=u1"
cmp -s "$IGW_E2E_TMP/direct" "$IGW_E2E_TMP/proxied" || fail "the proxied answer differs: $(cat "$IGW_E2E_TMP/proxied")"
status() { head -n 1 "$1" | awk '{print $2}'; }
assert_eq "$(status "$IGW_E2E_TMP/direct.h")" "$(status "$IGW_E2E_TMP/proxied.h")" "status through /proxy"
ctype() { grep -i '^content-type:' "$1" | tr -d '\r' | cut -d' ' -f2-; }
assert_eq "$(ctype "$IGW_E2E_TMP/direct.h")" "$(ctype "$IGW_E2E_TMP/proxied.h")" "content type through /proxy"
ok "a POST's answer comes back byte for byte, with its status and content type"

seen=$(igw_curl "http://127.0.0.1:$MOCK_PORT/mock/requests" | jq '.requests[-1]')
assert_eq "POST" "$(jq -r .method <<<"$seen")" "method upstream"
assert_eq "/v1/embeddings?user=u1" "$(jq -r .path <<<"$seen")" "path and query upstream"
assert_eq "$body" "$(jq -r .body <<<"$seen")" "body upstream"
assert_eq "Bearer sk-provider-key" "$(jq -r .headers.authorization <<<"$seen")" "credential upstream"
assert_eq "null" "$(jq -r '.headers["x-api-key"]' <<<"$seen")" "the caller's x-api-key upstream"
assert_eq "t-123" "$(jq -r '.headers["x-custom-trace"]' <<<"$seen")" "the caller's own header upstream"
ok "the request reaches the provider as sent, with the provider's credential instead of the caller's"
