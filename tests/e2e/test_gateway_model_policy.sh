#!/usr/bin/env bash
# ALLOWED_MODELS / DISALLOWED_MODELS (SPEC 1.1): comma lists, case-insensitive, full or unprefixed ids, allow
# wins; a refused model gets 403 in OpenAI's error shape (Anthropic's on /v1/messages) and never reaches the
# provider.
source "$(dirname "$0")/lib.sh"

igw_start_mock upstream
providers=(OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=sk-o GROQ_API_URL="$MOCK_URL" GROQ_API_KEY=sk-g
  ANTHROPIC_API_URL="$MOCK_URL" ANTHROPIC_API_KEY=sk-a)
chat() {  # chat MODEL: the status; the body in $IGW_E2E_TMP/body
  igw_curl -o "$IGW_E2E_TMP/body" -w '%{http_code}' -H 'content-type: application/json' \
    "$GW_URL/v1/chat/completions" -d "{\"model\":\"$1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
}
sent() { igw_curl "http://127.0.0.1:$MOCK_PORT/mock/requests" | jq '.requests | length'; }
refused() {  # refused MODEL: 403 with OpenAI's shape and code, and nothing sent upstream
  local before
  before=$(sent)
  assert_eq 403 "$(chat "$1")" "chat $1"
  assert_eq "permission_error model_not_allowed" "$(jq -r '"\(.error.type) \(.error.code)"' "$IGW_E2E_TMP/body")" \
    "error of $1"
  assert_contains "$(jq -r .error.message "$IGW_E2E_TMP/body")" "$1" "message of $1"
  assert_eq "$before" "$(sent)" "requests the provider got for $1"
}

igw_start_gateway allow "${providers[@]}" ALLOWED_MODELS="openai/mock-gpt-4o, MOCK-GPT-4O-MINI" \
  DISALLOWED_MODELS="mock-gpt-4o-mini"
assert_eq 200 "$(chat openai/mock-gpt-4o)" "a full id on the allow list"
assert_eq 200 "$(chat groq/mock-gpt-4o-mini)" "an unprefixed id, another case, also denied: allow wins"
refused groq/mock-gpt-4o  # the full id names openai, not groq
refused openai/mock-claude-sonnet
status=$(igw_curl -o "$IGW_E2E_TMP/body" -w '%{http_code}' -H 'content-type: application/json' "$GW_URL/v1/messages" \
  -d '{"model":"anthropic/mock-claude-sonnet","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}')
assert_eq 403 "$status" "/v1/messages with a model off the list"
assert_eq "error invalid_request_error" "$(jq -r '"\(.type) \(.error.type)"' "$IGW_E2E_TMP/body")" \
  "/v1/messages answers in Anthropic's shape"
igw_stop "$GW_PID"
ok "ALLOWED_MODELS admits only its models (full or unprefixed, any case) and wins over DISALLOWED_MODELS"

igw_start_gateway deny "${providers[@]}" DISALLOWED_MODELS="Mock-Claude-Sonnet,groq/mock-gpt-4o"
refused openai/mock-claude-sonnet
refused groq/mock-gpt-4o
assert_eq 200 "$(chat openai/mock-gpt-4o)" "a model on no list"
assert_eq 200 "$(chat groq/mock-gpt-4o-mini)" "another model on no list"
ok "DISALLOWED_MODELS alone refuses its models"
