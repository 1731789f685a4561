#!/usr/bin/env bash
# igw metrics top and check against a live gateway: under steady traffic, `metrics top --once -o json` gives
# req/s and p95 within 5% of a real Prometheus' rate() and histogram_quantile() over the same window; the
# interactive view, driven in tmux, shows the providers, re-sorts on a key, filters, quits with q and leaves
# the terminal as it was; an unreachable target is shown and recovers; `metrics check` exits 0 on a live igw,
# 3 on an exposition with one label missing and 1 when nothing answers.
source "$(dirname "$0")/lib.sh"
command -v prometheus >/dev/null || fail "prometheus is not installed (scripts/bootstrap --test)"
command -v tmux >/dev/null || fail "tmux is not installed (scripts/bootstrap --test)"

igw_start_mock upstream --error-rate 0.1 --error-status 503 --seed 3
igw_start_gateway gw TELEMETRY_ENABLE=true TELEMETRY_METRICS_PORT=0 \
  OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=sk-a GROQ_API_URL="$MOCK_URL" GROQ_API_KEY=sk-b
metrics="http://127.0.0.1:$GW_METRICS_PORT/metrics"

# metrics check: a live gateway holds (before any traffic: the families are all there).
out=$("$IGW_BIN" metrics check "$metrics") || fail "metrics check on a live gateway: exit $? ($out)"
assert_contains "$out" "ok: $metrics exposes every catalog metric" "metrics check"
ok "metrics check: 0 on a live gateway"

# Steady traffic: 4 loops, two providers, latencies spread over several buckets.
traffic() {  # traffic PROVIDER
  local i=0 lat
  while :; do
    lat=$(( (i * 37) % 120 ))
    curl -s -o /dev/null --max-time 5 -H 'content-type: application/json' -H "x-mock-latency-ms: $lat" \
      "$GW_URL/v1/chat/completions" -d "{\"model\":\"$1/mock-gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi $i\"}]}" || true
    i=$((i + 1))
  done
}
for p in openai openai groq groq; do traffic "$p" & IGW_E2E_PIDS+=($!); done

igw_start_prometheus "$GW_METRICS_PORT"
prom_port=$PROM_PORT
sleep 6  # a few scrapes of steady traffic

# The same 20 s window: top's two scrapes, and Prometheus evaluated at the end of it over [20s].
window=20
top_json=$("$IGW_BIN" metrics top --once -o json --interval "${window}s" --url "$metrics") || fail "metrics top --once failed"
end=$(date +%s.%N)
sleep 1.5  # the scrape that covers the end of the window
promq() {  # promq EXPR: "provider value" lines at time $end
  curl -sf --max-time 10 "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" --data-urlencode "time=$end" |
    jq -r '.data.result[] | "\(.metric.provider) \(.value[1])"'
}
prom_rps=$(promq "sum by (provider) (rate(llm_requests_total[${window}s]))")
prom_p95=$(promq "histogram_quantile(0.95, sum by (le, provider) (rate(llm_request_duration_bucket[${window}s])))")
echo "top: $top_json"
echo "prometheus rps: $prom_rps / p95: $prom_p95"
within() {  # within A B PCT WHAT
  python3 -c 'import sys; a,b,p=map(float,sys.argv[1:4]); sys.exit(0 if abs(a-b) <= p/100*max(abs(b),1e-9) else 1)' "$1" "$2" "$3" ||
    fail "$4: metrics top says $1, Prometheus $2 (more than $3% apart)"
}
for p in openai groq; do
  t_rps=$(jq -r --arg p "$p" '.rows[] | select(.key==$p) | .rps' <<<"$top_json")
  t_p95=$(jq -r --arg p "$p" '.rows[] | select(.key==$p) | .p95_ms' <<<"$top_json")
  p_rps=$(awk -v p="$p" '$1==p {print $2}' <<<"$prom_rps")
  p_p95=$(awk -v p="$p" '$1==p {print $2}' <<<"$prom_p95")
  [[ -n $t_rps && $t_rps != null && -n $p_rps ]] || fail "no req/s for $p (top: $t_rps, prometheus: $p_rps)"
  within "$t_rps" "$p_rps" 5 "$p req/s"
  within "$t_p95" "$p_p95" 5 "$p p95 ms"
done
jq -e '.by=="provider" and (.window_s|type=="number") and (.totals.key=="total") and (.rows|length==2)
       and all(.rows[]; has("error_pct") and has("tokens_per_min") and has("in_flight") and has("ttft_p95_ms") and has("alerts"))' \
  <<<"$top_json" >/dev/null || fail "metrics top -o json shape: $top_json"
ok "metrics top --once -o json agrees with Prometheus within 5% (req/s and p95)"

# --prometheus: the same view from the server's API.
pjson=$("$IGW_BIN" metrics top -o json --prometheus "http://127.0.0.1:$prom_port" --window 20s) || fail "metrics top --prometheus"
jq -e '.rows | map(.key) | sort == ["groq","openai"]' <<<"$pjson" >/dev/null || fail "metrics top --prometheus rows: $pjson"
ok "metrics top --prometheus"

# No TTY: a plain table, once.
table=$("$IGW_BIN" metrics top --interval 1s --url "$metrics" </dev/null)
assert_contains "$table" "REQ/S" "plain table head"
assert_contains "$table" "openai" "plain table rows"
[[ $table != *$'\e['* ]] || fail "colors in a table written to a pipe"
ok "without a terminal: one plain table"

# The interactive view in tmux.
sock="$IGW_E2E_TMP/tmux.sock"
tm() { tmux -S "$sock" "$@"; }
tm new-session -d -s top -x 160 -y 40 "bash --norc --noprofile"
IGW_E2E_PIDS+=($(tm display-message -p -t top '#{pid}'))
tm send-keys -t top "clear; echo BEFORE-TOP-MARKER" Enter
sleep 0.3
tm send-keys -t top "$IGW_BIN metrics top --interval 500ms --url $metrics; echo EXIT=\$?" Enter
pane() { tm capture-pane -p -t top; }
igw_wait_until 15 bash -c "tmux -S '$sock' capture-pane -p -t top | grep -q 'groq'" || fail "top shows no providers: $(pane)"
screen=$(pane)
assert_contains "$screen" "openai" "interactive view"
[[ $screen != *BEFORE-TOP-MARKER* ]] || fail "top does not use the alternate screen"
tm send-keys -t top "s"  # next sort column: rps
igw_wait_until 5 bash -c "tmux -S '$sock' capture-pane -p -t top | grep -q 'REQ/S\\*'" || fail "s did not sort by req/s: $(pane)"
tm send-keys -t top "/" "g" "r" "o" Enter
igw_wait_until 5 bash -c "! tmux -S '$sock' capture-pane -p -t top | grep -q ' openai '" || fail "the filter kept openai: $(pane)"
assert_contains "$(pane)" "groq" "filtered view"
tm send-keys -t top "q"
igw_wait_until 5 bash -c "tmux -S '$sock' capture-pane -p -t top | grep -q 'EXIT=0'" || fail "q did not quit: $(pane)"
after=$(pane)
assert_contains "$after" "BEFORE-TOP-MARKER" "the terminal after q (main screen back)"
[[ $after != *"REQ/S"* ]] || fail "the table stayed on the main screen: $after"
[[ $(tm send-keys -t top "stty -a | grep -o ' -\\?icanon'" Enter; sleep 0.5; pane) == *" icanon"* ]] ||
  fail "the terminal was left in raw mode: $(pane)"
ok "interactive: providers shown, s re-sorts, / filters, q quits and restores the terminal"

# Ctrl-C restores it too; an unreachable target is shown, then recovers.
tm send-keys -t top "clear; $IGW_BIN metrics top --interval 300ms --url http://127.0.0.1:$(igw_free_port)/metrics; echo EXIT=\$?" Enter
igw_wait_until 10 bash -c "tmux -S '$sock' capture-pane -p -t top | grep -q 'unreachable since'" || fail "no unreachable line: $(pane)"
tm send-keys -t top C-c
igw_wait_until 5 bash -c "tmux -S '$sock' capture-pane -p -t top | grep -q 'EXIT='" || fail "Ctrl-C did not end top: $(pane)"
ok "an unreachable target is shown; Ctrl-C ends top"

# check: 3 on an exposition with one label missing, 1 when nothing answers.
curl -sf "$metrics" | sed -E 's/^(llm_requests_total\{)provider="[^"]*",/\1/' >"$IGW_E2E_TMP/broken.prom"
grep -q '^llm_requests_total{request_type=' "$IGW_E2E_TMP/broken.prom" || fail "the broken exposition was not made"
srv_port=$(igw_free_port)
(cd "$IGW_E2E_TMP" && exec python3 -m http.server "$srv_port" --bind 127.0.0.1) >/dev/null 2>&1 &
IGW_E2E_PIDS+=($!)
igw_wait_until 10 igw_port_answers "$srv_port" || fail "the file server did not start"
set +e
out=$("$IGW_BIN" metrics check "http://127.0.0.1:$srv_port/broken.prom"); rc=$?
set -e
assert_eq 3 "$rc" "metrics check on an exposition without a label"
assert_contains "$out" "llm_requests_total: sample llm_requests_total has labels {request_type}, expected {provider,request_type}" "check finding"
set +e
"$IGW_BIN" metrics check "http://127.0.0.1:$(igw_free_port)/metrics" 2>"$IGW_E2E_TMP/err"; rc=$?
set -e
assert_eq 1 "$rc" "metrics check on a closed port"
ok "metrics check: 3 on a missing label, 1 when unreachable"
