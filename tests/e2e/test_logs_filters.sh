#!/usr/bin/env bash
# igw logs tail: every filter and a set of -q queries return exactly the expected lines of the fixture
# (real gateway lines from format_line + hand-made edge lines); the page's LogQL queries select what jq
# selects; bad flags and queries exit 2 before any input is read.
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

# check NAME "LINE NUMBERS" ARGS...: the -o json output is exactly those lines of the combined fixture.
check() {
  local name=$1 nums=$2; shift 2
  local want="" n
  for n in $nums; do want+=$(sed -n "${n}p" "$all")$'\n'; done
  local got rc=0
  got=$("$IGW_BIN" logs tail -o json "$@" < "$all"; echo x) || rc=$?
  got=${got%x}
  if [[ $rc -ne 0 ]]; then fail "$name: exit $rc"; return; fi
  if [[ "$got" != "$want" ]]; then
    fail "$name ($*)"
    diff <(printf '%s' "$want") <(printf '%s' "$got") | head -20 || true
  fi
}

# Flags.
check "no filter keeps every JSON object" "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 21 22 23 25 28"
check "--level error (unknown levels kept)" "7 12 15 23 25" --level error
check "--level warn" "5 7 9 12 15 21 23 25" --level warn
check "--level WARNING" "5 7 9 12 15 21 23 25" --level WARNING
check "--provider" "3 4 7 8 11 14 19 28" --provider openai
check "--model" "3 4 11 14" --model gpt-4o-mini
check "--request-id" "11 12 14" --request-id req-0005
check "--status >=500" "7 8 14 15 21" --status '>=500'
check "--status range" "7 8 14 15 21" --status 500-599
check "--status 5xx" "7 8 14 15 21" --status 5xx
check "--status <300" "3 6 22 28" --status '<300'
check "--status !=200" "7 8 9 10 14 15 18 21 28" --status '!=200'
check "--status =401" "9 10" --status =401
check "--status 404" "18" --status 404
check "--logger regex" "11 12 23" --logger 'mcp.*'
check "--logger exact" "3 6 8 10 14 15 18 22 28" --logger http
check "--since RFC 3339" "16 17 18 19 21 22 25 28" --since 2026-01-15T10:00:15Z
check "--since with offset" "16 17 18 19 21 22 25 28" --since 2026-01-15T11:00:15+01:00
check "--since 10m (fixture is older)" "" --since 10m
check "--grep" "11 12 13" --grep 'call'
check "--grep anchored" "3 6 8 10 14 15" --grep '^request'
check "flags combine with AND" "7 8 14" --provider openai --status '>=500' --level info

# Queries.
check "-q and" "7 8 14" -q 'status_code >= 500 and provider = "openai"'
check "-q or" "5 7 9 12 15 23" -q 'level = "error" or level = "warn"'
check "-q not, regex, null" "9" -q 'not (logger =~ "http|proxy") and status_code != null'
check "-q nested field" "22" -q 'usage.total_tokens > 40'
check "-q numbers" "5 6 14" -q 'duration_ms >= 1000'
check "-q regex and not" "7 8 11 14" -q 'model =~ "gpt-4o.*" and not request_id = "req-0001"'
check "-q present" "3" -q 'trace_id != null'
check "-q missing or null" "1 2 5 11 12 13 16 19 23 25" -q 'status_code = null and level != "debug"'
check "-q escaped path" "18" -q "path = '/v1/nope'"
check "-q unicode" "28" -q 'message = "unicode été ✓"'
check "-q precedence" "7 8 14 15" -q 'provider = "mock" or provider = "openai" and status_code >= 500'
check "-q parentheses" "7 8 14 15" -q '(provider = "mock" or provider = "openai") and status_code >= 500'
check "-q string compares with the text" "15 21" -q 'status_code = "503"'
check "-q with flags" "14" -q 'duration_ms > 1000' --provider openai

# The page's LogQL queries select what jq selects.
logql() {
  local name=$1 jq_filter=$2; shift 2
  local want got
  want=$(jq -cR "fromjson? | objects | select($jq_filter)" "$all")
  got=$("$IGW_BIN" logs tail -o json "$@" < "$all" | jq -c .)
  [[ -n "$want" ]] || fail "$name: jq selected nothing"
  [[ "$got" == "$want" ]] || { fail "LogQL $name"; diff <(echo "$want") <(echo "$got") | head; }
}
logql 'level="error"' '.level == "error"' -q 'level = "error"'
logql 'status_code >= 500' '.status_code >= 500' -q 'status_code >= 500'
logql 'status_code >= 500 (flag)' '.status_code >= 500' --status '>=500'
logql 'logger=~"mcp.*"' '(.logger // "") | test("^(mcp.*)$")' -q 'logger =~ "mcp.*"'
logql 'logger=~"mcp.*" (flag)' '(.logger // "") | test("^(mcp.*)$")' --logger 'mcp.*'
logql 'request_id="req-0005"' '.request_id == "req-0005"' -q 'request_id = "req-0005"'
logql 'request_id (flag)' '.request_id == "req-0005"' --request-id req-0005

# A line written now passes --since 10m.
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
recent="{\"timestamp\":\"$now\",\"level\":\"info\",\"message\":\"fresh\",\"logger\":\"http\"}"
got=$(printf '%s\n' "$recent" | cat - "$all" | "$IGW_BIN" logs tail -o json --since 10m)
[[ "$got" == "$recent" ]] || fail "--since 10m keeps a line written now: got '$got'"

# Bad flags and queries: exit 2, a message with the position, before any input is read (stdin is a FIFO
# that never ends: reading it would block).
mkfifo "$work/never"
exec 3<>"$work/never"
expect_usage() {
  local want=$1; shift
  local err rc=0 start=$SECONDS
  err=$(timeout 10 "$IGW_BIN" logs tail "$@" 2>&1 < "$work/never") || rc=$?
  [[ $rc -eq 2 ]] || fail "'$*' exit $rc, want 2 ($err)"
  [[ $((SECONDS - start)) -lt 5 ]] || fail "'$*' waited for input before rejecting"
  [[ "$err" == *"$want"* ]] || fail "'$*' message lacks '$want': $err"
}
expect_usage "query: at column 16: expected a value after '>='" -q 'status_code >= and'
expect_usage "query: at column 17: expected ')'" -q '(level = "error"'
expect_usage "unterminated string" -q 'level = "error'
expect_usage "bad regular expression" -q 'logger =~ "(("'
expect_usage "expected an operator" -q 'status_code 500'
expect_usage "--status: '>>5' is not a status filter" --status '>>5'
expect_usage "--level: 'loud' is not a level" --level loud
expect_usage "--since: 'soon'" --since soon
expect_usage "--logger: '(' is not a valid regular expression" --logger '('
expect_usage "--output" -o yaml
expect_usage "--color" --color sometimes
expect_usage "--no-such-flag" --no-such-flag
expect_usage "--lines" -n many
expect_usage "--lines" -n -1

if [[ $failures -ne 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "ok"
