# `igw mock` as a command: flag errors exit 2, the real port is logged as JSON, several workers share the
# port, TLS with a self-signed certificate, SIGTERM exits 0.
source "$(dirname "$0")/lib.sh"

# A bad duration is a usage error naming the flag and the value.
rc=0; out=$("$IGW_BIN" mock --port 0 --token-delay soon 2>&1) || rc=$?
assert_eq 2 "$rc" "exit code of a bad --token-delay"
assert_contains "$out" "--token-delay soon" "error message"
rc=0; "$IGW_BIN" mock --port 0 --error-rate 2 >/dev/null 2>&1 || rc=$?
assert_eq 2 "$rc" "exit code of --error-rate 2"
ok "bad flags exit 2"

# The listening line is one JSON object with logger, address and port.
igw_start_mock plain --workers 2
line=$(jq -c 'select(.logger=="mock" and .port)' "$MOCK_LOG" | head -n 1)
assert_eq "127.0.0.1" "$(jq -r .address <<<"$line")" "address field"
assert_eq "$MOCK_PORT" "$(jq -r .port <<<"$line")" "port field"
for i in 1 2 3 4 5 6; do
  body=$(igw_curl "$MOCK_URL/models")
  assert_eq "mock-gpt-4o" "$(jq -r '.data[0].id' <<<"$body")" "models from worker (request $i)"
done
ok "port logged, two workers answer"

# A port already taken is a runtime error naming the address.
rc=0; out=$("$IGW_BIN" mock --port "$MOCK_PORT" 2>&1) || rc=$?
[[ $rc -ne 0 ]] || fail "a second mock on port $MOCK_PORT should fail"
assert_contains "$out" "127.0.0.1:$MOCK_PORT" "bind error"
ok "port in use is reported"

igw_stop "$MOCK_PID" TERM 5
assert_eq 0 "$IGW_STOP_RC" "exit code after SIGTERM"
ok "SIGTERM exits 0"

# TLS: a self-signed certificate made here; curl trusts it only with --cacert.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$IGW_E2E_TMP/key.pem" -out "$IGW_E2E_TMP/cert.pem" 2>/dev/null
igw_start_mock tls --tls-cert "$IGW_E2E_TMP/cert.pem" --tls-key "$IGW_E2E_TMP/key.pem"
body=$(igw_curl --cacert "$IGW_E2E_TMP/cert.pem" "$MOCK_URL/chat/completions" -H 'content-type: application/json' \
  -d '{"model":"mock-gpt-4o","messages":[{"role":"user","content":"secure hello"}]}')
assert_eq "$(igw_mock_content "secure hello" 16)" "$(jq -r '.choices[0].message.content' <<<"$body")" "content over TLS"
rc=0; curl -sS --max-time 5 "$MOCK_URL/models" >/dev/null 2>&1 || rc=$?
[[ $rc -ne 0 ]] || fail "curl without the CA should reject the self-signed certificate"
ok "TLS with a self-signed certificate"

# A key without its certificate is a clear error.
rc=0; out=$("$IGW_BIN" mock --port 0 --tls-key "$IGW_E2E_TMP/key.pem" 2>&1) || rc=$?
assert_eq 1 "$rc" "exit code of --tls-key alone"
assert_contains "$out" "--tls-cert and --tls-key go together" "error message"
ok "TLS flag errors"
