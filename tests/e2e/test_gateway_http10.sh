# HTTP/1.0 clients and keep-alive framing: a 1.0 client gets a 1.0 answer that closes unless it asked for
# keep-alive, and a stream to a 1.0 client runs until the close (1.0 has no chunked encoding); 1.1 clients
# get many requests over one connection with each body framed by its length.
source "$(dirname "$0")/lib.sh"

igw_start_mock upstream
igw_start_gateway gateway OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=sk-test

chat_body='{"model":"openai/mock-gpt-4o","messages":[{"role":"user","content":"old client"}]}'
stream_body='{"model":"openai/mock-gpt-4o","stream":true,"messages":[{"role":"user","content":"old client"}]}'

# A 1.0 request without keep-alive: a 1.0 status line, a length, and the connection closes.
igw_curl --http1.0 -sS -D "$IGW_E2E_TMP/h1" -o "$IGW_E2E_TMP/b1" -H 'content-type: application/json' \
  -d "$chat_body" "$GW_URL/v1/chat/completions" || fail "HTTP/1.0 chat failed"
head -1 "$IGW_E2E_TMP/h1" | grep -q '^HTTP/1.0 200' || fail "status line: $(head -1 "$IGW_E2E_TMP/h1")"
grep -qi '^content-length:' "$IGW_E2E_TMP/h1" || fail "no Content-Length in the 1.0 answer"
assert_eq "$(igw_mock_content "old client" 16)" "$(jq -r '.choices[0].message.content' "$IGW_E2E_TMP/b1")" \
  "HTTP/1.0 chat content"
ok "HTTP/1.0 chat answered with a 1.0 status line"

# A 1.0 stream: no Transfer-Encoding, the events arrive whole, ending with [DONE].
igw_curl --http1.0 -sS -N -D "$IGW_E2E_TMP/h2" -o "$IGW_E2E_TMP/b2" -H 'content-type: application/json' \
  -d "$stream_body" "$GW_URL/v1/chat/completions" || fail "HTTP/1.0 stream failed"
grep -qi '^transfer-encoding' "$IGW_E2E_TMP/h2" && fail "chunked encoding sent to an HTTP/1.0 client"
grep -q '^data: \[DONE\]' "$IGW_E2E_TMP/b2" || fail "HTTP/1.0 stream did not end with [DONE]: $(tail -3 "$IGW_E2E_TMP/b2")"
content=$(grep '^data: {' "$IGW_E2E_TMP/b2" | sed 's/^data: //' | jq -rj '.choices[0].delta.content // empty')
assert_eq "$(igw_mock_content "old client" 16)" "$content" "HTTP/1.0 stream content"
ok "HTTP/1.0 stream delimited by the close"

# 1.1: three requests on one connection (curl reuses it), each answered completely.
out=$(igw_curl -sS -w '%{num_connects} ' -H 'content-type: application/json' -d "$chat_body" \
  "$GW_URL/v1/chat/completions" -o /dev/null \
  --next -w '%{num_connects} ' -H 'content-type: application/json' -d "$chat_body" \
  "$GW_URL/v1/chat/completions" -o /dev/null \
  --next -w '%{num_connects}' "$GW_URL/health" -o /dev/null)
assert_eq "1 0 0" "$(echo $out)" "connections opened for three requests"
ok "HTTP/1.1 keep-alive: three requests, one connection"
