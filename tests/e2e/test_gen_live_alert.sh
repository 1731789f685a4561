#!/usr/bin/env bash
# The generated rules work on live data: a real Prometheus loads `igw gen prometheus` output (scrape
# interval 1s, `--alert-for 1m`), scrapes a live `igw serve` whose upstream (`igw mock --error-rate 0.5`)
# fails half the chat requests, and InferenceGatewayHighErrorRate becomes pending.
source "$(dirname "$0")/gen_lib.sh"
command -v prometheus >/dev/null || fail "prometheus not installed"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
log_field() {  # log_field FILE MESSAGE FIELD: wait up to 10s for a JSON log line, print one field
  for _ in $(seq 100); do
    value=$(jq -r --arg m "$2" "select(.message == \$m) | .$3" "$1" 2>/dev/null | head -1)
    [[ -n $value ]] && { echo "$value"; return; }
    sleep 0.1
  done
  cat "$1" >&2
  fail "no '$2' line in $1"
}

"$IGW_BIN" mock --port 0 --error-rate 0.5 >"$WORK/mock.log" 2>&1 &
pids+=($!)
upstream=$(log_field "$WORK/mock.log" "mock provider listening" url)

SERVER_PORT=0 TELEMETRY_ENABLE=true TELEMETRY_METRICS_PORT=0 OPENAI_API_URL=$upstream OPENAI_API_KEY=sk-test \
  "$IGW_BIN" serve >"$WORK/gateway.log" 2>&1 &
pids+=($!)
port=$(log_field "$WORK/gateway.log" listening port)
metrics_port=$(log_field "$WORK/gateway.log" listening metrics_port)

"$IGW_BIN" gen prometheus --interval 1s --scrape-timeout 1s --alert-for 1m --output-dir "$WORK/prom" 2>/dev/null
grep -q -- "- inference-gateway:9464" "$WORK/prom/prometheus.yml" || fail "unexpected scrape target"
sed -i "s/- inference-gateway:9464/- 127.0.0.1:$metrics_port/" "$WORK/prom/prometheus.yml"
prom_port=$(free_port)
prometheus --config.file="$WORK/prom/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$WORK/prometheus.log" 2>&1 &
pids+=($!)

request='{"model":"openai/gpt-4o","messages":[{"role":"user","content":"hi"}]}'
state=""
for _ in $(seq 120); do  # up to 60s
  for _ in 1 2 3 4 5; do
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/v1/chat/completions" \
      -H 'content-type: application/json' -d "$request" || true
  done
  state=$(curl -s --max-time 2 "http://127.0.0.1:$prom_port/api/v1/alerts" |
    jq -r '.data.alerts[]? | select(.labels.alertname == "InferenceGatewayHighErrorRate") | .state' 2>/dev/null |
    head -1) || true
  [[ $state == pending || $state == firing ]] && break
  sleep 0.5
done
if [[ $state != pending && $state != firing ]]; then
  tail -5 "$WORK/prometheus.log" >&2
  curl -s "http://127.0.0.1:$metrics_port/metrics" | grep '^llm_responses_total' >&2 || true
  fail "InferenceGatewayHighErrorRate did not become pending (state: '${state:-none}')"
fi
curl -s "http://127.0.0.1:$prom_port/api/v1/alerts" | jq -c '.data.alerts[] | {alert: .labels.alertname, state,
  provider: .labels.provider, value}'
ok "InferenceGatewayHighErrorRate is $state on a live gateway with a 50% upstream error rate"
