#!/usr/bin/env bash
# igw logs tail -q takes LogQL as on-call engineers copy it from the observability page: each LogQL line of
# the page's logs section prints exactly what its -q equivalent prints on the log fixture (json and pretty
# output); line filters test the raw line; unsupported stages exit 2 with the stage named, before any input.
set -euo pipefail
# In a sanitizer build, undefined behaviour must fail the test, not just print.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
IGW_BIN=${IGW_BIN:?} IGW_SOURCE_DIR=${IGW_SOURCE_DIR:?}
fixtures=$IGW_SOURCE_DIR/tests/fixtures/logs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
all=$work/all.jsonl
cat "$fixtures/gateway.jsonl" "$fixtures/edge.jsonl" > "$all"
[[ $(wc -l < "$all") -eq 28 ]] || { echo "fixture changed: expected 28 lines"; exit 1; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# The LogQL lines of the observability page's "Log Aggregation" section, verbatim (the page runs prose
# into two of them, "| jsonUseful queries:" and "request_id=\"<uuid>\"If you also export ...": each query
# ends where the prose starts).
page_logql=(
  '{namespace="inference-gateway", app="inference-gateway"} | json'
  '{app="inference-gateway"} | json | level="error"'
  '{app="inference-gateway"} | json | status_code >= 500'
  '{app="inference-gateway"} | json | logger=~"mcp.*"'
  '{app="inference-gateway"} | json | request_id="<uuid>"'
)
# What each one means in the -q language ("" = no -q at all: the selector and `| json` keep every line),
# and how many JSON lines of the fixture it selects (<uuid> is a placeholder: nothing).
page_equivalent=(
  ''
  'level = "error"'
  'status_code >= 500'
  'logger =~ "mcp.*"'
  'request_id = "<uuid>"'
)
page_count=(24 4 5 3 0)

# tail ARGS...: igw logs tail on the fixture; fails the test on a non-zero exit.
tail_fixture() {
  local rc=0 out
  out=$("$IGW_BIN" logs tail "$@" "$all"; echo x) || rc=$?
  [[ $rc -eq 0 ]] || fail "igw logs tail $*: exit $rc"
  printf '%s' "${out%x}"
}

# same LOGQL QUERY COUNT: the LogQL query prints what the -q query prints (json, then pretty without
# color), and the json output has COUNT lines.
same() {
  local logql=$1 query=$2 count=$3 mode want got
  local q_args=()
  [[ -n $query ]] && q_args=(-q "$query")
  for mode in json pretty; do
    want=$(tail_fixture -o "$mode" --color never "${q_args[@]}")
    got=$(tail_fixture -o "$mode" --color never -q "$logql")
    if [[ "$got" != "$want" ]]; then
      fail "-o $mode: -q '$logql' differs from ${query:-no query}"
      diff <(printf '%s' "$want") <(printf '%s' "$got") | head -10 || true
    fi
    if [[ $mode == json ]]; then
      local n
      n=$(printf '%s' "$got" | grep -c . || true)
      [[ $n -eq $count ]] || fail "-q '$logql': $n lines, want $count"
    fi
  done
}

for i in "${!page_logql[@]}"; do
  same "${page_logql[$i]}" "${page_equivalent[$i]}" "${page_count[$i]}"
done
# The request_id query with a request the fixture has.
same "${page_logql[4]//<uuid>/req-0005}" "${page_equivalent[4]//<uuid>/req-0005}" 3

# More LogQL than the page uses.
same '{app="igw"} | json | level="error" or level="warn" | status_code >= 500' \
  '(level = "error" or level = "warn") and status_code >= 500' 2
same '{app="igw"} | provider="openai", status_code!=200' 'provider = "openai" and status_code != 200' 7
same '{app="igw"} | json | model=~`gpt-4o.*` | duration_ms > 100' 'model =~ "gpt-4o.*" and duration_ms > 100' 2
same '{app="igw"} | json | provider!=""' 'not (provider = null or provider = "")' 11

# Line filters test the raw line: what grep -F selects among the JSON objects (and, in pretty output, the
# line that is not JSON).
want=$(grep -F mcp "$all" | jq -cR 'fromjson? | objects')
got=$(tail_fixture -q '{app="igw"} |= "mcp"' | jq -c .)
[[ -n $want && "$got" == "$want" ]] || fail "|= \"mcp\": got '$got', want '$want'"
want=$(grep -vE 'request completed|"level":"debug"' "$all" | jq -cR 'fromjson? | objects')
got=$(tail_fixture -q '{app="igw"} != "request completed" !~ "\"level\":\"debug\""' | jq -c .)
[[ -n $want && "$got" == "$want" ]] || fail "!= and !~: got '$got', want '$want'"
got=$(tail_fixture -o pretty --color never -q '{app="igw"} |~ "pani[c]"')
[[ "$got" == "not json at all: panic: runtime error" ]] || fail "|~ on a line that is not JSON: got '$got'"

# Refused: exit 2, the stage named, a caret under it, before any input is read (stdin never ends).
mkfifo "$work/never"
exec 3<> "$work/never"
expect_usage() {
  local query=$1 want=$2 caret=$3 err rc=0 start=$SECONDS
  err=$(timeout 10 "$IGW_BIN" logs tail -q "$query" 2>&1 < "$work/never") || rc=$?
  [[ $rc -eq 2 ]] || fail "-q '$query': exit $rc, want 2 ($err)"
  [[ $((SECONDS - start)) -lt 5 ]] || fail "-q '$query' waited for input before rejecting"
  [[ "$err" == *"$want"* ]] || fail "-q '$query': message lacks '$want': $err"
  [[ "$err" == *$'\n'"  $query"$'\n'"  $caret^"* ]] || fail "-q '$query': no caret at '$caret^': $err"
}
expect_usage '{app="inference-gateway"} | logfmt | level="error"' \
  'query: at column 29: `logfmt` is not supported: igw logs are JSON' "$(printf '%28s' '')"
expect_usage '{app="x"} | json | line_format "{{.message}}"' \
  'query: at column 20: `line_format` is not supported' "$(printf '%19s' '')"
expect_usage '{app="x"} | label_format a=b' 'query: at column 13: `label_format` is not supported' \
  "$(printf '%12s' '')"
expect_usage '{app="x" | json' "expected ',' or '}' to close the stream selector" "$(printf '%9s' '')"
expect_usage '{app="x"} | json | status_code >= ' "expected a \"string\" or a number after '>='" \
  "$(printf '%34s' '')"
expect_usage 'sum(count_over_time({app="x"}[5m]))' 'metric query' ''

if [[ $failures -ne 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "ok"
