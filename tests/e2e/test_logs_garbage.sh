#!/usr/bin/env bash
# igw logs tail on garbage: binary data, invalid UTF-8, a 5 MiB line, deep nesting, an empty file, a
# directory, a missing file, a reader that goes away (| head). Clear messages or pass-through; no crash.
set -euo pipefail
# In a sanitizer build, undefined behaviour must fail the test, not just print.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
IGW_BIN=${IGW_BIN:?} IGW_SOURCE_DIR=${IGW_SOURCE_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# run NAME WANT_RC ARGS...: runs igw logs tail with stdout/stderr in $work/out, $work/err.
run() {
  local name=$1 want=$2 rc=0; shift 2
  timeout 60 "$IGW_BIN" logs tail "$@" > "$work/out" 2> "$work/err" || rc=$?
  [[ $rc -eq $want ]] || fail "$name: exit $rc, want $want; stderr: $(head -c 500 "$work/err")"
}

# Binary data (deterministic): passed through unchanged in pretty mode without color, dropped in json.
head -c 300000 /dev/zero | openssl enc -aes-128-ctr -K 000102030405060708090a0b0c0d0e0f -iv 0 -nosalt 2>/dev/null \
  > "$work/binary"
printf '\n' >> "$work/binary"
run "binary pretty" 0 -o pretty --color never "$work/binary"
cmp -s "$work/binary" "$work/out" || fail "binary data not passed through unchanged"
run "binary json" 0 -o json "$work/binary"
[[ ! -s "$work/out" ]] || fail "binary data printed in json mode"
run "binary json --keep-invalid" 0 -o json --keep-invalid "$work/binary"
cmp -s "$work/binary" "$work/out" || fail "--keep-invalid did not keep the binary lines"
# With color, control bytes are shown escaped: the only ESC bytes left are our own dim/reset codes.
run "binary color" 0 -o pretty --color always "$work/binary"
escapes=$(LC_ALL=C sed -e 's/\x1b\[2m//g' -e 's/\x1b\[0m//g' "$work/out" | LC_ALL=C tr -dc '\000-\010\013-\037' | wc -c)
[[ $escapes -eq 0 ]] || fail "color output still carries $escapes raw control bytes"

# Invalid UTF-8 inside a JSON string is still a log line.
printf '{"level":"info","message":"bad \xff\xfe bytes","logger":"http","status_code":500}\n' > "$work/utf8"
run "invalid UTF-8 json" 0 -o json --status 500 "$work/utf8"
cmp -s "$work/utf8" "$work/out" || fail "a line with invalid UTF-8 was not printed unchanged"
run "invalid UTF-8 pretty" 0 -o pretty --color never "$work/utf8"
grep -q "INFO  http bad" "$work/out" || fail "pretty output of invalid UTF-8: $(cat "$work/out")"

# A 5 MiB line: truncated at --max-line with a marker and a note, never fatal.
{
  printf '{"level":"info","message":"'
  head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' 'a'
  printf '","logger":"http"}\n'
  printf '{"level":"info","message":"after","logger":"http"}\n'
} > "$work/big"
size=$(($(head -1 "$work/big" | wc -c) - 1))
run "5 MiB line pretty" 0 -o pretty --color never "$work/big"
grep -q "longer than --max-line 1048576; truncated" "$work/err" || fail "no truncation note: $(cat "$work/err")"
first=$(head -1 "$work/out")
[[ ${#first} -lt $((1024 * 1024 + 100)) ]] || fail "truncated line is ${#first} bytes"
[[ "$first" == *"[... truncated $((size - 1024 * 1024)) bytes]" ]] || fail "marker: ${first: -60}"
[[ "$(tail -1 "$work/out")" == *"INFO  http after" ]] || fail "the line after the long one is lost"
run "5 MiB line json" 0 -o json "$work/big"
[[ "$(cat "$work/out")" == '{"level":"info","message":"after","logger":"http"}' ]] || fail "json mode kept a truncated line"
run "5 MiB line with a larger --max-line" 0 -o json --max-line 8388608 "$work/big"
cmp -s "$work/big" "$work/out" || fail "--max-line 8 MiB did not keep the whole line"
run "5 MiB grep" 0 -o raw --grep 'a{100}b' "$work/big"
[[ ! -s "$work/out" ]] || fail "--grep on a long message printed something"

# Deeply nested JSON is not a stack overflow.
{ printf '{"a":'; head -c 200000 /dev/zero | tr '\0' '['; printf '\n'; } > "$work/deep"
run "deep nesting" 0 -o pretty --color never "$work/deep"
cmp -s "$work/deep" "$work/out" || fail "deep nesting not passed through"

# An empty file, a directory, a missing file: clear messages; the other inputs are still read.
: > "$work/empty"
run "empty file" 0 "$work/empty"
[[ ! -s "$work/out" && ! -s "$work/err" ]] || fail "empty file printed something"
printf '{"level":"info","message":"good","logger":"http"}\n' > "$work/good"
run "directory" 1 -o raw "$work" "$work/good"
grep -q "igw: $work: is a directory, not a log file" "$work/err" || fail "directory message: $(cat "$work/err")"
grep -q "good" "$work/out" || fail "the file after a directory was not read"
run "missing file" 1 -o raw "$work/nope" "$work/good"
grep -q "igw: $work/nope: cannot open: No such file or directory" "$work/err" || fail "missing: $(cat "$work/err")"
grep -q "good" "$work/out" || fail "the file after a missing one was not read"
run "follow a directory" 1 -f "$work"  # nothing left to follow: exit 1, as without -f
grep -q "is a directory" "$work/err" || fail "follow directory message: $(cat "$work/err")"

# The reader goes away: | head ends quietly with exit 0 (finite and endless input).
for _ in $(seq 1 2000); do cat "$IGW_SOURCE_DIR/tests/fixtures/logs/gateway.jsonl"; done > "$work/many"
set +o pipefail
"$IGW_BIN" logs tail -o json "$work/many" 2> "$work/err" | head -1 > /dev/null
rc=${PIPESTATUS[0]}
[[ $rc -eq 0 && ! -s "$work/err" ]] || fail "| head on a file: exit $rc, stderr $(cat "$work/err")"
timeout 20 bash -c 'yes "{\"level\":\"info\",\"message\":\"x\"}" | "$0" logs tail -o raw 2>"$1" | head -3 > /dev/null;
  exit ${PIPESTATUS[1]}' "$IGW_BIN" "$work/err" || rc=$?
[[ ${rc:-0} -eq 0 && ! -s "$work/err" ]] || fail "| head on endless stdin: exit $rc, stderr $(cat "$work/err")"
set -o pipefail

if [[ $failures -ne 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo ok
