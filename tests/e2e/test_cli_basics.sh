#!/usr/bin/env bash
# The foundation's commands, driven through the real binary: catalogs as JSON, config validation, exit codes.
set -euo pipefail
igw=${IGW_BIN:?IGW_BIN must point at the igw binary}
fail() { echo "FAIL: $*" >&2; exit 1; }

# metrics list -o json: the page's ten metrics with exactly the page's types, labels and buckets.
metrics=$("$igw" metrics list -o json)
check_metric() {  # name type labels(csv) buckets(csv or "")
  local got
  got=$(jq -r --arg n "$1" '.[] | select(.name==$n) | [.type, (.labels|join(",")), (.buckets|map(tostring)|join(",")), .source] | join(" ")' <<<"$metrics")
  [ "$got" = "$2 $3 $4 page" ] || fail "metric $1: got '$got', want '$2 $3 $4 page'"
}
buckets=1,5,10,25,50,75,100,250,500,750,1000,2500,5000,7500,10000
check_metric llm_usage_prompt_tokens counter provider,model ""
check_metric llm_usage_completion_tokens counter provider,model ""
check_metric llm_usage_total_tokens counter provider,model ""
check_metric llm_requests_total counter provider,request_type ""
check_metric llm_responses_total counter provider,request_method,request_path,status_code ""
check_metric llm_request_duration histogram provider,request_method,request_path "$buckets"
check_metric llm_tool_calls_total counter provider,model,tool_type,tool_name ""
check_metric llm_tool_calls_success_total counter provider,model,tool_type,tool_name ""
check_metric llm_tool_calls_failure_total counter provider,model,tool_type,tool_name,error_type ""
check_metric llm_tool_call_duration histogram provider,model,tool_type,tool_name "$buckets"
jq -e 'all(.[]; (.help|length>0) and (.type|IN("counter","gauge","histogram")) and (.source|IN("page","igw")))' \
  <<<"$metrics" >/dev/null || fail "metrics list: an entry lacks help or has a bad type/source"
# (captured first: grep -q closing the pipe early would fail the pipeline under pipefail)
markdown=$("$igw" metrics list -o markdown)
grep -q '^| `\?llm_request_duration' <<<"$markdown" || fail "metrics list -o markdown lacks llm_request_duration"
grep -q '^| llm_tool_call_duration | histogram | ms | .* | page | implemented |' <<<"$markdown" \
  || fail "metrics list -o markdown does not show llm_tool_call_duration as implemented"

# config list -o json: the spec's settings.
settings=$("$igw" config list -o json)
[ "$(jq -r '.[] | select(.env=="TELEMETRY_ENABLE") | "\(.default) \(.aliases|join(","))"' <<<"$settings")" = \
  "false TELEMETRY_ENABLED,ENABLE_TELEMETRY" ] || fail "TELEMETRY_ENABLE default/aliases"
[ "$(jq -r '.[] | select(.env=="TELEMETRY_METRICS_PORT") | .default' <<<"$settings")" = 9464 ] || fail "TELEMETRY_METRICS_PORT default"
for env in ENVIRONMENT SERVER_HOST SERVER_PORT SERVER_READ_TIMEOUT SERVER_WRITE_TIMEOUT SERVER_IDLE_TIMEOUT \
  SERVER_MAX_REQUEST_BODY_SIZE SERVER_TLS_CERT_PATH SERVER_TLS_KEY_PATH CLIENT_TIMEOUT TELEMETRY_ENABLE \
  TELEMETRY_METRICS_PORT OTEL_EXPORTER_OTLP_ENDPOINT OTEL_EXPORTER_OTLP_PROTOCOL OTEL_EXPORTER_OTLP_HEADERS \
  OTEL_SERVICE_NAME OTEL_RESOURCE_ATTRIBUTES MCP_ENABLE MCP_SERVERS MCP_EXPOSE AUTH_ENABLE AUTH_OIDC_ISSUER \
  AUTH_OIDC_CLIENT_ID ALLOWED_MODELS DISALLOWED_MODELS OPENAI_API_URL OPENAI_API_KEY ANTHROPIC_API_KEY ZAI_API_URL; do
  jq -e --arg e "$env" 'any(.[]; .env==$e)' <<<"$settings" >/dev/null || fail "config list lacks $env"
done
for alias in MCP_ENABLED AUTH_ENABLED; do
  jq -e --arg a "$alias" 'any(.[]; .aliases|index($a))' <<<"$settings" >/dev/null || fail "alias $alias missing"
done
jq -e 'all(.[]; select(.env|endswith("_API_KEY")) | .secret)' <<<"$settings" >/dev/null || fail "API keys not secret"

# config check: a bad value is one line naming the variable and the value; exit 2.
set +e
err=$(TELEMETRY_METRICS_PORT=abc "$igw" config check 2>&1 >/dev/null); rc=$?
set -e
[ "$rc" = 2 ] || fail "config check with a bad port exited $rc, want 2"
[ "$(wc -l <<<"$err")" = 1 ] || fail "config check printed more than one line: $err"
grep -q 'TELEMETRY_METRICS_PORT' <<<"$err" && grep -q 'abc' <<<"$err" || fail "error line does not name variable and value: $err"
SERVER_READ_TIMEOUT=1h30m "$igw" config check 2>/dev/null || fail "config check rejected a valid duration"

# config show: origins, and secrets masked.
shown=$(OPENAI_API_KEY=sk-live-0123456789abcdef TELEMETRY_ENABLED=true "$igw" config show -o json --server-port 9000)
[ "$(jq -r '.[] | select(.env=="SERVER_PORT") | "\(.value) \(.origin)"' <<<"$shown")" = "9000 flag" ] || fail "flag origin"
[ "$(jq -r '.[] | select(.env=="TELEMETRY_ENABLE") | "\(.origin) \(.from)"' <<<"$shown")" = "env TELEMETRY_ENABLED" ] || fail "alias origin"
grep -q 0123456789abcdef <<<"$shown" && fail "config show printed a secret"
table=$(OPENAI_API_KEY=sk-live-0123456789abcdef "$igw" config show)
grep -q 0123456789abcdef <<<"$table" && fail "config show (table) printed a secret"

# version -o json.
jq -e 'has("version") and has("revision") and has("build_date") and has("compiler")' <<<"$("$igw" version -o json)" >/dev/null \
  || fail "version -o json keys"

# Usage errors exit 2 with CLI11's message on stderr; --help exits 0.
set +e
"$igw" no-such-command >/dev/null 2>&1; rc=$?
"$igw" metrics list -o yaml >/dev/null 2>&1; rc2=$?
"$igw" >/dev/null 2>&1; rc3=$?
set -e
[ "$rc" = 2 ] && [ "$rc2" = 2 ] && [ "$rc3" = 2 ] || fail "usage errors exited $rc/$rc2/$rc3, want 2"
"$igw" --help >/dev/null || fail "--help did not exit 0"
"$igw" config --help >/dev/null || fail "config --help did not exit 0"
echo "cli basics: ok"
