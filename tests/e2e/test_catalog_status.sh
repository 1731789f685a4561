#!/usr/bin/env bash
# The catalogs promise only what works: a planned setting given a value stops `igw serve` and
# `igw config check` (exit 2, one line); planned metrics are listed as planned and never exported; a
# generated Deployment or compose file never sets a planned setting.
source "$(dirname "$0")/lib.sh"

planned=$("$IGW_BIN" config list -o json | jq -r '.[] | select(.status=="planned") | .env')
[[ -n $planned ]] || fail "config list -o json shows no planned setting"
grep -qx AUTH_OIDC_CLIENT_SECRET <<<"$planned" || fail "AUTH_OIDC_CLIENT_SECRET is not listed as planned"
for env in AUTH_ENABLE MCP_ENABLE MCP_SERVERS A2A_AGENTS; do
  grep -qx "$env" <<<"$planned" && fail "$env is listed as planned"
done
table=$("$IGW_BIN" config list)
grep -qE '^AUTH_OIDC_CLIENT_SECRET +string +planned ' <<<"$table" || fail "config list (table) lacks the status"
grep -qE '^MCP_ENABLE +false +bool +implemented ' <<<"$table" || fail "config list (table): MCP_ENABLE not implemented"
ok "config list shows the status"

# serve refuses, exits 2 at once, and never listens.
port=$(igw_free_port)
refuse() {  # refuse VAR=VALUE [WHAT]: serve and config check both exit 2 with one line naming VAR
  local assignment=$1 var=${1%%=*} rc err
  set +e
  err=$(env "$assignment" SERVER_PORT="$port" timeout 10 "$IGW_BIN" serve 2>&1 >/dev/null); rc=$?
  set -e
  assert_eq 2 "$rc" "igw serve with $assignment: exit code"
  assert_eq 1 "$(wc -l <<<"$err")" "igw serve with $assignment: lines on stderr ($err)"
  assert_contains "$err" "$var=" "igw serve with $assignment"
  assert_contains "$err" "not available yet" "igw serve with $assignment"
  igw_port_answers "$port" && fail "something listens on $port after igw serve refused to start"
  set +e
  err=$(env "$assignment" "$IGW_BIN" config check 2>&1 >/dev/null); rc=$?
  set -e
  assert_eq 2 "$rc" "igw config check with $assignment: exit code"
  assert_contains "$err" "$var=" "igw config check with $assignment"
}
refuse AUTH_OIDC_CLIENT_SECRET=a-client-secret-value
ok "planned settings stop serve and config check"
AUTH_OIDC_CLIENT_SECRET= "$IGW_BIN" config check 2>/dev/null || fail "AUTH_OIDC_CLIENT_SECRET='' (its default) was refused"
MCP_ENABLED=1 MCP_SERVERS=http://127.0.0.1:9/mcp A2A_ENABLE=true A2A_AGENTS=http://127.0.0.1:9/agent \
  "$IGW_BIN" config check >/dev/null 2>&1 || fail "the implemented MCP / A2A settings were refused"
ok "a planned setting's default is accepted; implemented ones are accepted"

# Planned metrics: listed as planned, absent from a live exposition. (None is left today: every metric
# of the catalog is recorded; the loop below guards the next one declared before it works.)
statuses=$("$IGW_BIN" metrics list -o json | jq -r '.[].status' | sort -u)
grep -qx implemented <<<"$statuses" || fail "metrics list -o json shows no status"
planned_metrics=$("$IGW_BIN" metrics list -o json | jq -r '.[] | select(.status=="planned") | .name')
[[ $("$IGW_BIN" metrics list -o json | jq -r '.[] | select(.name=="llm_tool_call_duration") | .status') == implemented ]] \
  || fail "llm_tool_call_duration is not listed as implemented"
igw_start_gateway gw TELEMETRY_ENABLE=true TELEMETRY_METRICS_PORT=0
exposition=$(igw_curl "http://127.0.0.1:$GW_METRICS_PORT/metrics")
assert_contains "$exposition" "# TYPE llm_requests_total counter" "exposition"
while read -r name; do
  [[ -n $name && $exposition == *"$name"* ]] && fail "planned metric $name is exported"
done <<<"$planned_metrics"
ok "planned metrics are listed as planned and not exported"

# Generated deployments never set a planned setting (it would stop the gateway at start-up).
k8s=$("$IGW_BIN" gen k8s --with-gateway -o json)
compose_dir="$IGW_E2E_TMP/compose"
"$IGW_BIN" gen compose --output-dir "$compose_dir" 2>/dev/null
while read -r env; do
  jq -e --arg e "$env" '[.. | objects | select(.name? == $e)] | length == 0' <<<"$k8s" >/dev/null \
    || fail "gen k8s --with-gateway sets planned setting $env"
  grep -q "^ *$env:" "$compose_dir/docker-compose.yaml" && fail "gen compose sets planned setting $env"
done <<<"$planned"
ok "generated Deployment and compose file set no planned setting"
