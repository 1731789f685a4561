#!/usr/bin/env bash
# igw logs tail -f has tail -F semantics: a file that does not exist yet, growth, rotation (mv + recreate,
# with a last write to the renamed file), truncation, delete-then-recreate. Every line written is printed
# exactly once, in order. Also: -n with -f, and two followed files merged with a prefix.
set -euo pipefail
# In a sanitizer build, undefined behaviour must fail the test, not just print.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
IGW_BIN=${IGW_BIN:?}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

line() { printf '{"timestamp":"2026-01-15T10:00:00.000Z","level":"info","message":"line %s","logger":"http","n":%s}\n' "$1" "$1"; }

# wait_for FILE PATTERN COUNT: until FILE has COUNT lines matching PATTERN (10 s at most).
wait_for() {
  local deadline=$((SECONDS + 10))
  while [[ $(grep -c -- "$2" "$1" 2>/dev/null || true) -lt $3 ]]; do
    if [[ $SECONDS -ge $deadline ]]; then
      echo "timed out waiting for $3 x '$2' in $1"; echo "--- out:"; cat "$work/out" || true
      echo "--- err:"; cat "$work/err" || true
      exit 1
    fi
    sleep 0.05
  done
}

log=$work/igw.log
"$IGW_BIN" logs tail -f -o json "$log" > "$work/out" 2> "$work/err" &
pids+=($!)
wait_for "$work/err" "waiting for the file to appear" 1

line 1 >> "$log"; line 2 >> "$log"
wait_for "$work/out" '"n":' 2
line 3 >> "$log"
wait_for "$work/out" '"n":' 3

# Rotation: the writer keeps its descriptor, writes once more to the renamed file, then reopens.
exec 4>>"$log"
mv "$log" "$log.1"
line 4 >&4
exec 4>&-
line 5 >> "$log"; line 6 >> "$log"
wait_for "$work/out" '"n":' 6
wait_for "$work/err" "has been replaced" 1

# Truncation in place (copytruncate), then new lines.
: > "$log"
wait_for "$work/err" "file truncated" 1
line 7 >> "$log"
wait_for "$work/out" '"n":' 7

# Delete, then recreate.
rm "$log"
wait_for "$work/err" "removed or renamed" 1
line 8 >> "$log"; line 9 >> "$log"
wait_for "$work/out" '"n":' 9

# A partial line is held until its newline arrives.
printf '{"level":"info","message":"line 10","n":' >> "$log"
sleep 0.4
[[ $(grep -c '"n":' "$work/out") -eq 9 ]] || { echo "a partial line was printed early"; exit 1; }
printf '10}\n' >> "$log"
wait_for "$work/out" '"n":' 10

kill "${pids[0]}"
wait "${pids[0]}" 2>/dev/null || true
got=$(grep -o '"n":[0-9]*' "$work/out" | tr -d '"n:' | tr '\n' ' ')
[[ "$got" == "1 2 3 4 5 6 7 8 9 10 " ]] || { echo "lines printed: '$got', want 1..10 once each in order"; exit 1; }
[[ $(wc -l < "$work/out") -eq 10 ]] || { echo "extra output:"; cat "$work/out"; exit 1; }

# -n with -f: the last N lines of what is there, then what follows; default 10.
seq_file=$work/seq.log
for i in $(seq 1 30); do line "$i" >> "$seq_file"; done
"$IGW_BIN" logs tail -f -n 3 -o raw "$seq_file" > "$work/out2" 2>&1 &
pids+=($!)
wait_for "$work/out2" "line" 3
line 31 >> "$seq_file"
wait_for "$work/out2" "line" 4
[[ "$(cat "$work/out2")" == $'line 28\nline 29\nline 30\nline 31' ]] || { echo "-f -n 3:"; cat "$work/out2"; exit 1; }
"$IGW_BIN" logs tail -f -o raw "$seq_file" > "$work/out3" 2>&1 &
pids+=($!)
wait_for "$work/out3" "line" 10
sleep 0.3
[[ "$(head -1 "$work/out3")" == "line 22" && $(wc -l < "$work/out3") -eq 10 ]] || { echo "-f default:"; cat "$work/out3"; exit 1; }

# Two followed files are merged in arrival order, each line prefixed with its file name.
a=$work/a.log b=$work/b.log
: > "$a"; : > "$b"
"$IGW_BIN" logs tail -f -o raw "$a" "$b" > "$work/out4" 2>&1 &
pids+=($!)
sleep 0.3
line 101 >> "$a"; wait_for "$work/out4" "line" 1
line 201 >> "$b"; wait_for "$work/out4" "line" 2
line 102 >> "$a"; wait_for "$work/out4" "line" 3
want="$a: line 101
$b: line 201
$a: line 102"
[[ "$(cat "$work/out4")" == "$want" ]] || { echo "merge:"; cat "$work/out4"; exit 1; }

# Following stdin ends at its end.
printf '%s\n' "$(line 1)" | timeout 5 "$IGW_BIN" logs tail -f -o raw > "$work/out5"
[[ "$(cat "$work/out5")" == "line 1" ]] || { echo "stdin -f:"; cat "$work/out5"; exit 1; }
echo ok
