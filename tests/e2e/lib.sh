# Shared helpers for the bash end-to-end tests: source it, then start igw processes with igw_start_mock /
# igw_start_gateway. Every process started here is killed on exit; every wait is bounded.
#   IGW_BIN          the igw binary (set by CTest)
#   IGW_E2E_TMP      a per-test scratch directory (removed on exit)
set -euo pipefail

: "${IGW_BIN:?IGW_BIN must point at the igw binary}"
IGW_E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/igw-e2e.XXXXXX")
IGW_E2E_PIDS=()
IGW_E2E_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)

igw_cleanup() {
  local pid
  for pid in "${IGW_E2E_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${IGW_E2E_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$IGW_E2E_TMP"
}
trap igw_cleanup EXIT

# fail MESSAGE: print the message (and the logs of every process started) and exit 1.
fail() {
  echo "FAIL [$IGW_E2E_NAME]: $*" >&2
  local f
  for f in "$IGW_E2E_TMP"/*.log; do
    [[ -f $f ]] || continue
    echo "--- last lines of $(basename "$f")" >&2
    tail -n 15 "$f" >&2
  done
  exit 1
}
ok() { echo "ok - $*"; }

assert_eq() {  # assert_eq EXPECTED ACTUAL WHAT
  [[ "$1" == "$2" ]] || fail "$3: expected '$1', got '$2'"
}
assert_contains() {  # assert_contains HAYSTACK NEEDLE WHAT
  [[ "$1" == *"$2"* ]] || fail "$3: expected to contain '$2', got '${1:0:400}'"
}

# A port free right now on 127.0.0.1 (for flags that do not accept 0).
igw_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# igw_wait_until SECONDS COMMAND...: runs COMMAND every 50 ms until it succeeds; 1 on timeout.
igw_wait_until() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

igw_port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# igw_log_port LOGFILE JQ_SELECT: the port of the first JSON log line matching the jq condition.
igw_log_port() {
  jq -R -r "fromjson? | select(($2) and (.port|type==\"number\")) | .port" "$1" 2>/dev/null | head -n 1
}

# igw_wait_log_port LOGFILE JQ_SELECT PID: waits up to 15 s for the line; prints the port.
igw_wait_log_port() {
  local log=$1 select=$2 pid=$3 port="" deadline=$((SECONDS + 15))
  while [[ -z $port ]]; do
    kill -0 "$pid" 2>/dev/null || fail "process $pid exited before logging its port ($log)"
    ((SECONDS < deadline)) || fail "no log line with a port in $log after 15 s"
    sleep 0.05
    port=$(igw_log_port "$log" "$select")
  done
  echo "$port"
}

# igw_start_mock NAME [FLAGS...]: starts `igw mock --port 0 FLAGS` and sets MOCK_PORT, MOCK_PID, MOCK_URL
# (the OpenAI base URL, .../v1) and MOCK_LOG.
igw_start_mock() {
  local name=$1; shift
  MOCK_LOG="$IGW_E2E_TMP/$name.log"
  "$IGW_BIN" mock --port 0 "$@" >"$MOCK_LOG" 2>&1 &
  MOCK_PID=$!
  IGW_E2E_PIDS+=("$MOCK_PID")
  MOCK_PORT=$(igw_wait_log_port "$MOCK_LOG" '.logger=="mock"' "$MOCK_PID")
  local scheme=http
  [[ " $* " == *" --tls-cert "* ]] && scheme=https
  MOCK_URL="$scheme://127.0.0.1:$MOCK_PORT/v1"
}

# igw_start_gateway NAME [ENV=VALUE...] [-- FLAGS...]: starts `igw serve` with SERVER_PORT=0 and the given
# environment; sets GW_PORT, GW_METRICS_PORT, GW_PID, GW_URL (http://127.0.0.1:port) and GW_LOG. The ports
# are read from the gateway's JSON "listening" line (logger "server", fields port and metrics_port).
igw_start_gateway() {
  local name=$1; shift
  local envs=() flags=()
  while (($#)); do
    if [[ $1 == -- ]]; then shift; flags=("$@"); break; fi
    envs+=("$1"); shift
  done
  GW_LOG="$IGW_E2E_TMP/$name.log"
  env SERVER_HOST=127.0.0.1 SERVER_PORT=0 "${envs[@]}" "$IGW_BIN" serve "${flags[@]}" >"$GW_LOG" 2>&1 &
  GW_PID=$!
  IGW_E2E_PIDS+=("$GW_PID")
  GW_PORT=$(igw_wait_log_port "$GW_LOG" '.logger=="server"' "$GW_PID")
  GW_METRICS_PORT=$(jq -R -r 'fromjson? | select(.logger=="server" and .port) | .metrics_port // 0' "$GW_LOG" | head -n 1)
  GW_URL="http://127.0.0.1:$GW_PORT"
  igw_wait_until 10 igw_port_answers "$GW_PORT" || fail "gateway port $GW_PORT does not answer"
}

# igw_stop PID [SIGNAL] [SECONDS]: signals a process started here and waits for it (SIGKILL after SECONDS);
# sets IGW_STOP_RC to its exit code (137 when it had to be killed).
igw_stop() {
  local pid=$1 sig=${2:-TERM} secs=${3:-10} killer
  kill -"$sig" "$pid" 2>/dev/null || true
  # The watchdog must not hold the test's stdout open, or CTest waits for its sleep to end.
  (exec >/dev/null 2>&1; sleep "$secs"; kill -KILL "$pid") &
  killer=$!
  IGW_STOP_RC=0
  wait "$pid" 2>/dev/null || IGW_STOP_RC=$?
  pkill -P "$killer" 2>/dev/null || true
  kill "$killer" 2>/dev/null || true
  wait "$killer" 2>/dev/null || true
}

# The content the mock answers with: the words of the last user message, cycled, `tokens` of them.
igw_mock_content() {  # igw_mock_content PROMPT TOKENS
  python3 -c 'import sys; w=sys.argv[1].split() or ["mock"]; print(" ".join(w[i % len(w)] for i in range(int(sys.argv[2]))))' "$1" "$2"
}

# curl with bounded time, only to 127.0.0.1.
igw_curl() { curl -sS --max-time 20 "$@"; }

# igw_start_prometheus METRICS_PORT: a real Prometheus on 127.0.0.1 scraping 127.0.0.1:METRICS_PORT every
# second (job inference-gateway); waits until it is ready and sets PROM_PORT and PROM_URL.
igw_start_prometheus() {
  command -v prometheus >/dev/null || fail "prometheus is not installed (scripts/bootstrap --test)"
  PROM_PORT=$(igw_free_port)
  cat >"$IGW_E2E_TMP/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: inference-gateway
    metrics_path: /metrics
    static_configs: [{targets: ['127.0.0.1:$1']}]
YAML
  prometheus --config.file="$IGW_E2E_TMP/prometheus.yml" --storage.tsdb.path="$IGW_E2E_TMP/tsdb" \
    --web.listen-address="127.0.0.1:$PROM_PORT" >"$IGW_E2E_TMP/prometheus.log" 2>&1 &
  IGW_E2E_PIDS+=($!)
  PROM_URL="http://127.0.0.1:$PROM_PORT"
  igw_wait_until 30 curl -sf "$PROM_URL/-/ready" || fail "prometheus did not become ready"
}
