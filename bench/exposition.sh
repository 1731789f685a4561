#!/usr/bin/env bash
# Parse time of igw's Prometheus exposition parser (telemetry::exposition::parse, what `metrics top`,
# `metrics check` and `doctor` read scrapes with) next to `promtool check metrics` on the same generated file:
# every catalog metric for MODELS x PROVIDERS series (bench/exposition_parse.cpp writes it).
#   bench/exposition.sh [MODELS] [PROVIDERS]     defaults 100 15 (about 8 MB)
# igw's time is in process (best of 20 parses); promtool's is the whole process (best of 5), so its start-up,
# measured on an empty input, is printed too and taken out of the second ratio. Both pinned to CPU 0 when
# taskset is available. EXPOSITION_BIN defaults to build/bench/igw-exposition-parse (a Release build).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${EXPOSITION_BIN:-$src/build/bench/igw-exposition-parse}
models=${1:-100}
providers=${2:-15}
[ -x "$bin" ] || { echo "$bin not found: cmake --build build --target igw-exposition-parse" >&2; exit 2; }
command -v promtool > /dev/null || { echo "promtool is needed (Debian: apt-get install prometheus)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pin=()
command -v taskset > /dev/null && pin=(taskset -c 0)

file=$work/metrics.prom
igw=$("${pin[@]}" "$bin" --models "$models" --providers "$providers" --runs 20 --out "$file")
field() { sed -n "s/.*\b$1=\([0-9.]*\).*/\1/p" <<< "$igw"; }

# best_ms FILE: promtool's wall time on FILE, best of 5, in ms.
best_ms() {
  local best="" start end t
  for _ in 1 2 3 4 5; do
    start=$(date +%s%N)
    "${pin[@]}" promtool check metrics < "$1" > /dev/null 2>&1 || true  # exit 3 on lint findings
    end=$(date +%s%N)
    t=$(((end - start) / 1000))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  awk -v us="$best" 'BEGIN { printf "%.2f", us / 1000 }'
}
: > "$work/empty.prom"
promtool_ms=$(best_ms "$file")
startup_ms=$(best_ms "$work/empty.prom")
# promtool must have read the same file as one valid exposition: lint findings only, no parse error.
if promtool check metrics < "$file" 2>&1 | grep -qi "error while linting\|text format parsing error"; then
  echo "promtool could not parse the file:" >&2
  promtool check metrics < "$file" 2>&1 | head -5 >&2
  exit 1
fi

echo "input: $models models x $providers providers, $(field bytes) bytes, $(field lines) lines, $(field samples) samples in $(field families) families"
awk -v igw="$(field best_ms)" -v med="$(field median_ms)" -v p="$promtool_ms" -v s="$startup_ms" 'BEGIN {
  printf "%-40s %9.2f ms   (best of 20; median %.2f ms)\n", "igw exposition::parse (in process)", igw, med
  printf "%-40s %9.2f ms   (best of 5; start-up on an empty input %.2f ms)\n", "promtool check metrics < file", p, s
  printf "%-40s %9.1fx  (%.1fx without promtool start-up)\n", "ratio promtool / igw", p / igw, (p - s) / igw
}'
