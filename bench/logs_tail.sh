#!/usr/bin/env bash
# Throughput of `igw logs tail -o json` with filters, next to `jq -c 'select(...)'` on the same generated
# file, measured in the same run. The file repeats the real gateway lines of the test fixture (written by
# telemetry::log::format_line). Usage: bench/logs_tail.sh [LINES]   (IGW_BIN defaults to build/cli/igw)
# Single core: both tools are pinned to CPU 0 with taskset when it is available.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
IGW_BIN=${IGW_BIN:-$src/build/cli/igw}
lines=${1:-1000000}
fixture=$src/tests/fixtures/logs/gateway.jsonl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v jq > /dev/null || { echo "jq is needed" >&2; exit 1; }
pin=()
command -v taskset > /dev/null && pin=(taskset -c 0)

file=$work/access.jsonl
cp "$fixture" "$file"
while [[ $(wc -l < "$file") -lt $lines ]]; do cat "$file" "$file" > "$work/next" && mv "$work/next" "$file"; done
head -n "$lines" "$file" > "$work/cut" && mv "$work/cut" "$file"
echo "input: $lines lines, $(($(wc -c < "$file") / 1024 / 1024)) MiB; igw: $IGW_BIN"

# run NAME CMD...: prints seconds, lines/s and how many lines were printed.
run() {
  local name=$1; shift
  local start end out
  start=$(date +%s%N)
  out=$("${pin[@]}" "$@" < "$file" | wc -l)
  end=$(date +%s%N)
  awk -v n="$name" -v s="$start" -v e="$end" -v l="$lines" -v o="$out" \
    'BEGIN { t = (e - s) / 1e9; printf "%-52s %8.3f s %12.0f lines/s %9d printed\n", n, t, l / t, o }'
}

run "igw logs tail -o json --status '>=500'" "$IGW_BIN" logs tail -o json --status '>=500'
run "jq -c 'select(.status_code >= 500)'" jq -c 'select(.status_code >= 500)'
run "igw logs tail -o json --level warn" "$IGW_BIN" logs tail -o json --level warn
run "jq -c 'select(.level == \"warn\" or .level == \"error\")'" jq -c 'select(.level == "warn" or .level == "error")'
run "igw logs tail -o json -q 'provider = \"openai\" and duration_ms > 100'" \
  "$IGW_BIN" logs tail -o json -q 'provider = "openai" and duration_ms > 100'
run "jq -c 'select(.provider == \"openai\" and .duration_ms > 100)'" \
  jq -c 'select(.provider == "openai" and .duration_ms > 100)'
run "igw logs tail -o json (no filter)" "$IGW_BIN" logs tail -o json
run "jq -c . (no filter)" jq -c .
