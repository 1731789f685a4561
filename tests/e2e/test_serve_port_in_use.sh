#!/usr/bin/env bash
# A second gateway on a port that is already taken fails to start with a clear line (exit 1), instead of
# silently sharing the port with the first.
source "$(dirname "$0")/lib.sh"

port=$(igw_free_port)
SERVER_PORT=$port "$IGW_BIN" serve >"$IGW_E2E_TMP/first.log" 2>&1 &
IGW_E2E_PIDS+=($!)
igw_wait_until 15 igw_port_answers "$port" || fail "the first gateway did not come up on $port"

set +e
SERVER_PORT=$port timeout 10 "$IGW_BIN" serve >"$IGW_E2E_TMP/second.log" 2>&1
rc=$?
set -e
assert_eq 1 "$rc" "exit code of a gateway whose port is taken"
grep -q "cannot listen on 127.0.0.1:$port" "$IGW_E2E_TMP/second.log" || fail "no clear error line: $(cat "$IGW_E2E_TMP/second.log")"
ok "a taken port stops start-up with: $(grep -o 'cannot listen[^"]*' "$IGW_E2E_TMP/second.log" | head -1)"
