# igw logs tail on the lines a running `igw serve` wrote: successes, client errors, upstream failures, a
# stream, a cancelled stream, startup and shutdown lines. Each filter and query selects exactly the lines
# jq selects with the equivalent expression (the page's LogQL queries among them), and the lines come out
# unchanged.
source "$(dirname "$0")/lib.sh"

igw_start_mock upstream
igw_start_gateway gateway OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=sk-test ENVIRONMENT=development

chat=(-o /dev/null -H 'content-type: application/json' "$GW_URL/v1/chat/completions")
for i in 1 2 3; do igw_curl "${chat[@]}" -d "{\"model\":\"openai/mock-gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hello $i\"}]}"; done
igw_curl "${chat[@]}" -d '{"model":"openai/mock-gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"a stream"}]}'
igw_curl "${chat[@]}" -H 'x-mock-status: 500' -d '{"model":"openai/mock-gpt-4o","messages":[{"role":"user","content":"fail"}]}'
igw_curl "${chat[@]}" -H 'x-mock-status: 429' -d '{"model":"openai/mock-gpt-4o","messages":[{"role":"user","content":"slow down"}]}'
igw_curl "${chat[@]}" -H 'X-Request-Id: my-request-7' -d '{"model":"nosuch/x","messages":[{"role":"user","content":"hi"}]}'
igw_curl "${chat[@]}" -d '{"model": "openai/mock-gpt-4o", "messages": ['
igw_curl -o /dev/null "$GW_URL/v1/no/such/route"
igw_curl -o /dev/null "$GW_URL/health"
igw_stop "$MOCK_PID"
igw_curl "${chat[@]}" -d '{"model":"openai/mock-gpt-4o","messages":[{"role":"user","content":"upstream down"}]}'
igw_stop "$GW_PID"  # drains and writes every pending line
log=$GW_LOG
lines=$(wc -l < "$log")
[[ $lines -ge 12 ]] || fail "only $lines log lines: $(cat "$log")"

# check NAME JQ_CONDITION MIN ARGS...: igw logs tail -o json ARGS prints exactly the lines (unchanged, in
# order) for which the jq condition holds, and at least MIN of them.
check() {
  local name=$1 cond=$2 min=$3; shift 3
  local want got n
  want=$(jq -R -r "select((fromjson? // null) as \$j | \$j != null and (\$j | $cond))" "$log")
  got=$("$IGW_BIN" logs tail -o json "$@" "$log") || fail "$name: igw logs tail failed"
  assert_eq "$want" "$got" "$name"
  n=$(printf '%s' "$got" | grep -c '^' || true)
  [[ $n -ge $min ]] || fail "$name: $n lines, expected at least $min"
  ok "$name: $n lines"
}

check 'level="error" (LogQL)' '.level == "error"' 1 --level error
check 'level warn and above' '.level == "warn" or .level == "error"' 3 --level warn
check 'status_code >= 500 (LogQL)' '(.status_code // -1) >= 500' 2 --status '>=500'
check 'status 400-499' '(.status_code // -1) >= 400 and (.status_code // -1) <= 499' 4 --status 400-499
check 'status != 200' '.status_code != null and .status_code != 200' 6 --status '!=200'
check 'provider' '.provider == "openai"' 5 --provider openai
check 'model' '.model == "mock-gpt-4o-mini"' 1 --model mock-gpt-4o-mini
check 'logger=~"mcp.*" (LogQL)' '.logger | test("mcp.*")' 0 --logger 'mcp.*'
check 'logger http' '.logger | test("^http$")' 8 --logger '^http$'
rid=$(jq -R -r 'fromjson? | select(.status_code == 200 and .provider == "openai") | .request_id' "$log" | head -1)
[[ -n $rid ]] || fail "no request_id on a successful request's line"
check 'request_id="<id>" (LogQL)' ".request_id == \"$rid\"" 1 --request-id "$rid"
check 'a request id the client chose' '.request_id == "my-request-7"' 1 --request-id my-request-7
check 'grep on the message' '.message | test("upstream")' 1 --grep upstream
check '-q and/or/not' '((.status_code // -1) >= 400 and .provider == "openai") or (.logger == "server" and (.message | test("listening") | not))' 2 \
  -q 'status_code >= 400 and provider = "openai" or (logger = "server" and not message =~ "listening")'
check '-q null' '.model == null and .logger == "http"' 1 -q 'model = null and logger = "http"'
check '-q numbers' '(.duration_ms // -1) >= 0 and (.bytes // -1) > 100' 3 -q 'duration_ms >= 0 and bytes > 100'
check 'filters combine with AND' '.provider == "openai" and (.status_code // -1) >= 500' 1 --provider openai --status '>=500'
