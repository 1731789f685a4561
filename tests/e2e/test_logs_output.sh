#!/usr/bin/env bash
# igw logs tail output: pretty (layout, colors, NO_COLOR, non-JSON dimmed), json (default off a terminal),
# raw, --fields, -n, merging files with a prefix, stdin as '-'.
set -euo pipefail
# In a sanitizer build, undefined behaviour must fail the test, not just print.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
IGW_BIN=${IGW_BIN:?} IGW_SOURCE_DIR=${IGW_SOURCE_DIR:?}
fixtures=$IGW_SOURCE_DIR/tests/fixtures/logs
gw=$fixtures/gateway.jsonl edge=$fixtures/edge.jsonl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
same() { [[ "$2" == "$3" ]] || { fail "$1"; diff <(printf '%s\n' "$3") <(printf '%s\n' "$2") | head -10 || true; }; }

# Pretty: time, level, logger, message, status_code and request_id first, then the rest in line order.
got=$("$IGW_BIN" logs tail -o pretty --request-id req-0003 "$gw")
same "pretty layout" "$got" "2026-01-15T10:00:06.042Z ERROR proxy upstream failed status_code=502 request_id=req-0003 provider=openai model=gpt-4o error=\"connection reset by peer\"
2026-01-15T10:00:07.049Z INFO  http request completed status_code=502 request_id=req-0003 provider=openai model=gpt-4o method=POST path=/v1/chat/completions duration_ms=35.000"
got=$("$IGW_BIN" logs tail -o pretty --request-id req-0008 "$gw")
same "pretty keeps an entry on one line" "$got" '2026-01-15T10:00:17.119Z INFO  http path "/v1/nope" not found\nsecond line status_code=404 request_id=req-0008 method=GET path=/v1/nope'

# Non-JSON lines pass through in pretty mode, unchanged without color and dimmed with it.
got=$("$IGW_BIN" logs tail -o pretty --level error "$edge")
same "pretty passes non-JSON through (filters judge only JSON)" "$got" 'not json at all: panic: runtime error
ERROR mcp.server no timestamp
[1,2,3]
2026-01-15T10:05:02.000Z FATAL server unknown level status_code=null
{"broken": "json"'
got=$("$IGW_BIN" logs tail -o pretty "$edge" | sed -n 8p | od -c | head -1)
same "an empty line passes through" "$got" "0000000  \n"
got=$("$IGW_BIN" logs tail -o pretty --color always --grep panic "$edge")
same "dimmed non-JSON" "$got" $'\e[2mnot json at all: panic: runtime error\e[0m'

# Colors: always / never / auto (no color in a pipe); NO_COLOR honoured on a terminal.
got=$("$IGW_BIN" logs tail -o pretty --color always --request-id req-0007 "$gw")
[[ "$got" == *$'\e[1;31mERROR\e[0m'* && "$got" == *$'\e[1;31m503\e[0m'* && "$got" == *$'\e[1mreq-0007\e[0m'* ]] ||
  fail "--color always: $got"
got=$("$IGW_BIN" logs tail -o pretty --color never "$gw")
[[ "$got" != *$'\e'* ]] || fail "--color never printed escapes"
got=$("$IGW_BIN" logs tail -o pretty "$gw")
[[ "$got" != *$'\e'* ]] || fail "--color auto in a pipe printed escapes"
if command -v script > /dev/null; then
  got=$(script -qec "$IGW_BIN logs tail --request-id req-0007 $gw" /dev/null)
  [[ "$got" == *$'\e[1;31mERROR'* && "$got" == *"ERROR"*"http"* ]] || fail "a terminal gets pretty colored output: $got"
  got=$(NO_COLOR=1 script -qec "$IGW_BIN logs tail --request-id req-0007 $gw" /dev/null)
  [[ "$got" == *"ERROR http"* && "$got" != *$'\e['* ]] || fail "NO_COLOR on a terminal: $got"
  got=$(NO_COLOR=1 script -qec "$IGW_BIN logs tail --color always --request-id req-0007 $gw" /dev/null)
  [[ "$got" == *$'\e[1;31mERROR'* ]] || fail "--color always beats NO_COLOR: $got"
else
  fail "the 'script' command (util-linux) is needed for the terminal checks"
fi

# json is the default off a terminal: matching lines unchanged.
same "default output in a pipe is json" "$("$IGW_BIN" logs tail --provider anthropic < "$gw")" "$(grep anthropic "$gw")"
same "json --fields" "$("$IGW_BIN" logs tail -o json --fields request_id,status_code,usage.total_tokens --status 200 "$gw" "$edge")" \
  '{"request_id":"req-0001","status_code":200}
{"request_id":"req-0002","status_code":200}
{"request_id":"req-0009","status_code":200,"usage.total_tokens":42}'

# raw: the message only; with --fields, the values tab-separated; pretty --fields.
same "raw" "$("$IGW_BIN" logs tail -o raw --logger 'mcp.*' "$gw")" $'tool call\ntool call failed'
same "raw --fields" "$("$IGW_BIN" logs tail -o raw --fields request_id,status_code --status '>=500' "$gw")" \
  $'req-0003\t502\nreq-0003\t502\nreq-0005\t500\nreq-0007\t503'
same "pretty --fields" "$("$IGW_BIN" logs tail -o pretty --fields level,error --logger mcp.client "$gw")" \
  $'level=info error=-\nlevel=error error="timeout after 5s"'

# -n: the last N matching lines.
same "-n 2" "$("$IGW_BIN" logs tail -o raw -n 2 --logger http "$gw")" \
  $'request completed\npath "/v1/nope" not found\nsecond line'
same "-n 0" "$("$IGW_BIN" logs tail -o raw -n 0 "$gw")" ""
same "-n larger than the input" "$("$IGW_BIN" logs tail -o json -n 1000 "$gw")" "$(cat "$gw")"

# Several files: in order, each line prefixed with its file name (not in json); '-' is stdin.
same "merge with prefix" "$("$IGW_BIN" logs tail -o raw --request-id req-0004 "$gw" - < "$gw")" \
  "$gw: rejected API key
$gw: request completed
(stdin): rejected API key
(stdin): request completed"
same "merge in json stays JSONL" "$("$IGW_BIN" logs tail -o json --request-id req-0004 "$gw" "$gw" | jq -c .request_id | sort | uniq -c | tr -s ' ')" \
  " 4 \"req-0004\""
same "stdin as -" "$("$IGW_BIN" logs tail -o raw --request-id req-0006 - < "$gw")" "agent call"

# --help documents the command.
help=$("$IGW_BIN" logs tail --help)
for flag in --follow --lines --level --provider --model --request-id --status --logger --since --grep --query \
  --output --fields --color --keep-invalid --max-line; do
  [[ "$help" == *"$flag"* ]] || fail "--help lacks $flag"
done

if [[ $failures -ne 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo ok
