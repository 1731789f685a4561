# `igw serve` error answers (SPEC 1.1): each with its status, OpenAI's shape
# {"error":{"message","type","param":null,"code"}}, the fixed message and a code; the server keeps serving after
# every one.
source "$(dirname "$0")/lib.sh"

igw_start_mock upstream
igw_start_gateway gateway OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=sk-test

# check_error NAME STATUS TYPE CODE MESSAGE_PREFIX CURL_ARGS...
check_error() {
  local name=$1 status=$2 type=$3 code_want=$4 prefix=$5; shift 5
  local out code body
  out=$(igw_curl -o "$IGW_E2E_TMP/body" -w '%{http_code}' "$@") || fail "$name: curl failed"
  code=$out
  body=$(cat "$IGW_E2E_TMP/body")
  assert_eq "$status" "$code" "$name: status"
  jq -e 'type=="object" and (keys==["error"]) and (.error|keys==["code","message","param","type"]) and
         (.error.param==null) and (.error.message|type=="string")' <<<"$body" >/dev/null \
    || fail "$name: body is not OpenAI's error shape: $body"
  assert_eq "$type" "$(jq -r .error.type <<<"$body")" "$name: type"
  assert_eq "$code_want" "$(jq -r .error.code <<<"$body")" "$name: code"
  local message
  message=$(jq -r .error.message <<<"$body")
  [[ $message == "$prefix"* ]] || fail "$name: message '$message' does not start with '$prefix'"
  # The server keeps serving.
  assert_eq '{"message":"OK"}' "$(igw_curl "$GW_URL/health")" "$name: /health afterwards"
  ok "$name -> $status"
}

chat=(-H 'content-type: application/json' "$GW_URL/v1/chat/completions")
check_error "unknown provider" 400 invalid_request_error provider_not_found "Provider not found." \
  -d '{"model":"nosuch/model-x","messages":[{"role":"user","content":"hi"}]}' "${chat[@]}"
check_error "no provider" 400 invalid_request_error provider_undetermined "Unable to determine provider for model." \
  -d '{"model":"model-without-prefix","messages":[{"role":"user","content":"hi"}]}' "${chat[@]}"
check_error "malformed JSON" 400 invalid_request_error invalid_json "Failed to decode request" -d '{"model": "openai/mock-gpt-4o", "messages": [' "${chat[@]}"

head -c $((11 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$IGW_E2E_TMP/big"
check_error "11 MiB body" 413 invalid_request_error request_too_large "" --data-binary "@$IGW_E2E_TMP/big" "${chat[@]}"

check_error "unknown route" 404 invalid_request_error route_not_found "Requested route is not found" "$GW_URL/v1/no/such/route"
check_error "unknown route (POST)" 404 invalid_request_error route_not_found "Requested route is not found" -d '{}' "$GW_URL/nope"

check_error "provider without key" 400 invalid_request_error provider_not_configured "Provider \"groq\"" \
  -d '{"model":"groq/llama","messages":[{"role":"user","content":"hi"}]}' "${chat[@]}"
check_error "head over 64 KiB" 431 invalid_request_error headers_too_large "Request header fields too large" \
  -H "x-big: $(head -c 70000 /dev/zero | tr '\0' 'a')" "$GW_URL/v1/models"

# And a real request still works after all of that.
body=$(igw_curl "${chat[@]}" -d '{"model":"openai/mock-gpt-4o","messages":[{"role":"user","content":"still alive"}]}')
assert_eq "$(igw_mock_content "still alive" 16)" "$(jq -r '.choices[0].message.content' <<<"$body")" "chat after errors"
ok "gateway still serves chat"
