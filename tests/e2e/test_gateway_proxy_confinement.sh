#!/usr/bin/env bash
# /proxy/{provider}/{path} never reaches the provider outside its base path (SPEC 1.1; the provider's
# credential is attached): `..`, `%2e%2e`, encoded slashes and backslashes, a query or fragment smuggled into
# the path get 400 and never leave igw; absolute URLs and `@` stay paths below the base. The mock records
# every path it receives.
source "$(dirname "$0")/lib.sh"

igw_start_mock mock
base="/client/v4/accounts/acc-1/ai"
igw_start_gateway gw CLOUDFLARE_API_URL="http://127.0.0.1:$MOCK_PORT$base" CLOUDFLARE_API_KEY=cf-token

proxy() {  # proxy PATH: the status of GET /proxy/cloudflare PATH, sent byte for byte
  igw_curl --path-as-is -o "$IGW_E2E_TMP/body" -w '%{http_code}' "$GW_URL/proxy/cloudflare$1"
}
seen() { igw_curl "http://127.0.0.1:$MOCK_PORT/mock/requests" | jq -r '.requests[].path'; }

for trick in '/../../etc/passwd' '/v1/../../../admin' '/%2e%2e/%2e%2e/admin' '/.%2E/.%2e/admin' \
  '/v1%2f..%2f..%2fadmin' '/v1%2F..%2F..%2Fadmin' '/v1%5c..%5c..%5cadmin' '/v1\..\..\admin' \
  '/models%3Fsecret=1' '/models%23x' '/a%00b' '/a%0d%0aX-Injected:%201'; do
  status=$(proxy "$trick")
  assert_eq 400 "$status" "GET /proxy/cloudflare$trick"
  assert_contains "$(cat "$IGW_E2E_TMP/body")" "Invalid proxy path" "the answer to $trick"
done
assert_eq "" "$(seen)" "paths the provider received after the tricks"
ok "dot segments, encoded slashes and backslashes, smuggled queries and control characters: 400, nothing sent"

# What stays below the base path goes through, normalised, with the provider's credential.
proxy '/v1/models' >/dev/null
proxy '/v1/./x/../models' >/dev/null
proxy '/http://127.0.0.1:1/admin' >/dev/null
proxy '//127.0.0.1:1/admin' >/dev/null
proxy '/@127.0.0.1:1/admin' >/dev/null
paths=$(seen)
expected="$base/v1/models
$base/v1/models
$base/http:/127.0.0.1:1/admin
$base/127.0.0.1:1/admin
$base/@127.0.0.1:1/admin"
assert_eq "$expected" "$paths" "the paths the provider received"
while read -r p; do [[ $p == "$base/"* ]] || fail "the provider received $p, outside $base"; done <<<"$paths"
auth=$(igw_curl "http://127.0.0.1:$MOCK_PORT/mock/requests" | jq -r '.requests[0].headers.authorization')
assert_eq "Bearer cf-token" "$auth" "the credential on a confined request"
ok "absolute URLs, '//' and '@' stay paths below the base path"

# '@' in the provider part names no provider.
status=$(igw_curl --path-as-is -o "$IGW_E2E_TMP/body" -w '%{http_code}' "$GW_URL/proxy/cloudflare@127.0.0.1:1/x")
assert_eq 400 "$status" "GET /proxy/cloudflare@127.0.0.1:1/x"
ok "'@' after the provider id is an unknown provider"
