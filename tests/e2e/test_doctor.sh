#!/usr/bin/env bash
# igw doctor against a live gateway and mock provider: ok on a healthy setup (from the same environment as
# serve), and the cause named, with exit 3, for telemetry off, OTLP/HTTP sent to the gRPC port, a provider
# that refuses the key and a ServiceMonitor without a release label; -o json; --quick; a bad setting exits 2.
source "$(dirname "$0")/lib.sh"

igw_start_mock upstream --api-key k
igw_start_gateway gw TELEMETRY_ENABLE=true TELEMETRY_METRICS_PORT=0 OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=k
[[ -n $GW_METRICS_PORT && $GW_METRICS_PORT != 0 ]] || fail "no metrics_port in the gateway's start-up log"

# The gateway's environment, with the ports it picked, as doctor would see it inside the gateway's pod.
healthy=(SERVER_HOST=127.0.0.1 SERVER_PORT="$GW_PORT" TELEMETRY_ENABLE=true TELEMETRY_METRICS_PORT="$GW_METRICS_PORT"
  OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=k)

# doctor ENV=VALUE... [-- ARGS...]: runs `igw doctor` with only that environment; sets OUT, ERR and RC.
doctor() {
  local envs=()
  while (($#)); do
    if [[ $1 == -- ]]; then shift; break; fi
    envs+=("$1"); shift
  done
  set +e
  OUT=$(env -i PATH="$PATH" "${envs[@]}" timeout 30 "$IGW_BIN" doctor --timeout 2s "$@" 2>"$IGW_E2E_TMP/doctor.err")
  RC=$?
  set -e
  ERR=$(cat "$IGW_E2E_TMP/doctor.err")
}
line_of() { grep -E "^[a-z]+ +$1: " <<<"$OUT" || true; }  # line_of CHECK_NAME

# (a) Healthy: every line ok or skip, exit 0, the checks of the page all there.
doctor "${healthy[@]}"
assert_eq 0 "$RC" "healthy: exit code ($OUT)"
bad=$(grep -vE '^(ok  |skip) [a-z0-9 :/._-]+: ' <<<"$OUT" || true)
[[ -z $bad ]] || fail "healthy: lines neither ok nor skip: $bad"
for check in api telemetry metrics catalog "provider openai"; do
  [[ $(line_of "$check") == "ok   $check: "* ]] || fail "healthy: no ok line for $check: $OUT"
done
for check in otlp mcp a2a servicemonitor; do
  [[ $(line_of "$check") == "skip $check: "* ]] || fail "healthy: $check not skipped: $OUT"
done
assert_contains "$(line_of "provider openai")" "$MOCK_URL/models answered 200" "healthy: provider line"
[[ -z $ERR ]] || fail "healthy: stderr is not empty: $ERR"
ok "a healthy setup is all ok (or skipped), exit 0"

# MCP servers answer (the mock serves one at /mcp); an OTLP collector port that accepts connections.
doctor "${healthy[@]}" MCP_ENABLE=true MCP_SERVERS="http://127.0.0.1:$MOCK_PORT/mcp" \
  OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$MOCK_PORT" OTEL_EXPORTER_OTLP_PROTOCOL=grpc
assert_eq 0 "$RC" "MCP + OTLP: exit code ($OUT)"
assert_contains "$(line_of "mcp http://127.0.0.1:$MOCK_PORT/mcp")" "ok   mcp http://127.0.0.1:$MOCK_PORT/mcp: initialize answered" "MCP"
assert_contains "$(line_of otlp)" "ok   otlp: http://127.0.0.1:$MOCK_PORT accepts connections" "OTLP reachable"
assert_contains "$(line_of otlp-protocol)" "ok   otlp-protocol: grpc to port $MOCK_PORT" "OTLP protocol"
ok "MCP servers answer, the OTLP endpoint accepts connections"

# (b) Telemetry off: a gateway without metrics; doctor in its environment names the cause.
nothing_there=$(igw_free_port)
saved=("$GW_PORT" "$GW_PID")
igw_start_gateway gw_off OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=k TELEMETRY_METRICS_PORT="$nothing_there"
doctor SERVER_HOST=127.0.0.1 SERVER_PORT="$GW_PORT" TELEMETRY_METRICS_PORT="$nothing_there" \
  OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=k
assert_eq 3 "$RC" "telemetry off: exit code ($OUT)"
assert_eq "fail telemetry: telemetry is off (TELEMETRY_ENABLE=false): the gateway serves no /metrics -> fix: set TELEMETRY_ENABLE=true" \
  "$(line_of telemetry)" "telemetry off"
[[ $(line_of api) == "ok   api: "* ]] || fail "telemetry off: the API check did not pass: $OUT"
assert_contains "$ERR" "1 failed" "telemetry off: summary on stderr"
igw_stop "$GW_PID"
GW_PORT=${saved[0]} GW_PID=${saved[1]}
# This environment says off, but the gateway it points at serves metrics: a warning, not a failure.
doctor "${healthy[@]}" TELEMETRY_ENABLE=false
assert_eq 0 "$RC" "telemetry off here, on in the gateway: exit code ($OUT)"
assert_contains "$(line_of telemetry)" "warn telemetry: TELEMETRY_ENABLE is false in this environment, but" "env differs"
# Scraping the API port instead of the metrics port.
doctor "${healthy[@]}" -- --metrics "http://127.0.0.1:$GW_PORT/metrics"
assert_eq 3 "$RC" "metrics on the API port: exit code ($OUT)"
assert_contains "$(line_of metrics)" "is the API port $GW_PORT" "metrics on the API port"
ok "telemetry off is named (exit 3); a differing environment warns; the API port is not the metrics port"

# (c) OTLP/HTTP sent to 4317, the gRPC port (doctor reads the env; the gateway need not trace).
doctor "${healthy[@]}" OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317 OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
assert_eq 3 "$RC" "OTLP port convention: exit code ($OUT)"
assert_eq "fail otlp-protocol: OTLP/HTTP (http/protobuf) sent to 4317, the gRPC port -> fix: use port 4318 or OTEL_EXPORTER_OTLP_PROTOCOL=grpc" \
  "$(line_of otlp-protocol)" "OTLP port convention"
doctor "${healthy[@]}" OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_EXPORTER_OTLP_PROTOCOL=grpc
assert_eq 3 "$RC" "gRPC to 4318: exit code ($OUT)"
assert_contains "$(line_of otlp-protocol)" "fail otlp-protocol: OTLP/gRPC sent to 4318, the OTLP/HTTP port" "gRPC to 4318"
ok "OTLP protocol against the port convention"

# (d) A provider that refuses the key: named, and the key never printed.
doctor "${healthy[@]}" OPENAI_API_KEY=wrong-key-4f1d2c
assert_eq 3 "$RC" "bad key: exit code ($OUT)"
assert_contains "$(line_of "provider openai")" "fail provider openai: key refused: GET $MOCK_URL/models answered HTTP 401: Incorrect API key provided" "bad key"
assert_contains "$(line_of "provider openai")" "-> fix: check OPENAI_API_KEY" "bad key: fix"
[[ $OUT$ERR != *wrong-key-4f1d2c* ]] || fail "bad key: the key was printed"
# An unreachable provider URL.
doctor "${healthy[@]}" OPENAI_API_URL="http://127.0.0.1:$nothing_there/v1"
assert_eq 3 "$RC" "unreachable provider: exit code ($OUT)"
assert_contains "$(line_of "provider openai")" "-> fix: fix OPENAI_API_URL" "unreachable provider"
assert_contains "$(line_of "provider openai")" "refused" "unreachable provider: the cause"
ok "a refused key and an unreachable provider are named"

# (e) ServiceMonitor from `igw gen k8s`: with its release label ok; without it, the cause and the flag.
"$IGW_BIN" gen k8s --only ServiceMonitor --release prom-stack --output-dir "$IGW_E2E_TMP/k8s" 2>/dev/null
sm=$(ls "$IGW_E2E_TMP"/k8s/*.yaml)
doctor "${healthy[@]}" -- --servicemonitor "$sm"
assert_eq 0 "$RC" "ServiceMonitor with release: exit code ($OUT)"
assert_contains "$(line_of servicemonitor)" "ok   servicemonitor: ServiceMonitor inference-gateway has release=prom-stack" "release"
grep -v 'release:' "$sm" >"$IGW_E2E_TMP/no-release.yaml"
doctor "${healthy[@]}" -- --servicemonitor "$IGW_E2E_TMP/no-release.yaml"
assert_eq 3 "$RC" "ServiceMonitor without release: exit code ($OUT)"
assert_contains "$(line_of servicemonitor)" "has no release label: the Prometheus Operator's default selector will not pick it up" "no release"
assert_contains "$(line_of servicemonitor)" "-> fix: igw gen k8s --release <helm release of kube-prometheus-stack>" "no release: fix"
# The whole `gen k8s` output in JSON, several objects in one file.
"$IGW_BIN" gen k8s -o json >"$IGW_E2E_TMP/all.json"
doctor "${healthy[@]}" -- --servicemonitor "$IGW_E2E_TMP/all.json"
assert_contains "$(line_of servicemonitor)" "ok   servicemonitor: ServiceMonitor inference-gateway has release=kube-prometheus-stack" "gen k8s -o json"
ok "the ServiceMonitor's release label"

# (f) -o json: the shape, ok true/false with the exit code.
doctor "${healthy[@]}" -- -o json
assert_eq 0 "$RC" "json: exit code"
jq -e '(.ok == true) and (.checks | length >= 9) and
  all(.checks[]; (keys == ["detail","fix","name","status"]) and (.status | IN("ok","warn","fail","skip")))
  and (.checks[0] == {"name":"api","status":"ok","detail":.checks[0].detail,"fix":""})' <<<"$OUT" >/dev/null \
  || fail "json: unexpected shape: $OUT"
doctor "${healthy[@]}" OPENAI_API_KEY=nope -- -o json
assert_eq 3 "$RC" "json with a failure: exit code"
jq -e '.ok == false and ([.checks[] | select(.status == "fail") | .name] == ["provider openai"])' <<<"$OUT" >/dev/null \
  || fail "json with a failure: $OUT"
ok "-o json"

# (g) --quick: the API health check alone, exit 0 / 3.
doctor "${healthy[@]}" -- --quick
assert_eq 0 "$RC" "quick: exit code"
assert_eq 1 "$(wc -l <<<"$OUT")" "quick: one line ($OUT)"
[[ $OUT == "ok   api: GET http://127.0.0.1:$GW_PORT/health answered 200" ]] || fail "quick: $OUT"
doctor -- --quick --api "http://127.0.0.1:$nothing_there"
assert_eq 3 "$RC" "quick against nothing: exit code ($OUT)"
[[ $OUT == "fail api: "*"refused"*"-> fix: "* ]] || fail "quick against nothing: $OUT"
ok "--quick"

# A bad setting: exit 2 with the loader's one line; a bad flag: exit 2.
doctor SERVER_PORT=abc
assert_eq 2 "$RC" "bad setting: exit code"
assert_eq 1 "$(wc -l <<<"$ERR")" "bad setting: one line ($ERR)"
assert_contains "$ERR" 'SERVER_PORT="abc"' "bad setting"
doctor -- --timeout never
assert_eq 2 "$RC" "bad --timeout: exit code"
ok "a bad setting or flag exits 2"
