#!/usr/bin/env bash
# The `igw gen` command line: each subcommand's --help shows an example, bad flags exit 2 with one line
# naming the flag and the value, write failures exit 1, and --output-dir writes the files it names.
source "$(dirname "$0")/gen_lib.sh"

for sub in k8s prometheus grafana otel-collector compose rules-test; do
  "$IGW_BIN" gen "$sub" --help >"$WORK/help" || fail "gen $sub --help exits non-zero"
  grep -q "^Example:" "$WORK/help" || { cat "$WORK/help"; fail "gen $sub --help shows no example"; }
  grep -q "igw gen $sub" "$WORK/help" || fail "gen $sub --help example does not run gen $sub"
done
ok "every gen subcommand's --help shows an example"

expect_usage() {  # expect_usage "message" args...: exit 2 and the message on stderr
  local message=$1 rc=0
  shift
  "$IGW_BIN" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
  [[ $rc -eq 2 ]] || fail "$* exited $rc, expected 2"
  grep -qF -- "$message" "$WORK/stderr" || { cat "$WORK/stderr"; fail "$*: stderr lacks '$message'"; }
  [[ ! -s $WORK/stdout ]] || fail "$*: wrote to stdout on a usage error"
}
expect_usage '--error-rate-threshold 1.5: expected a ratio between 0 and 1' gen k8s --error-rate-threshold 1.5
expect_usage '--p95-latency-threshold-ms 20000: expected milliseconds above 1 and below 10000' \
  gen rules-test --p95-latency-threshold-ms 20000
expect_usage '--interval "soon": expected a duration' gen prometheus --interval soon
expect_usage '--scrape-timeout "30s": expected at most --interval "15s"' gen k8s --scrape-timeout 30s
expect_usage '--only "Ingress": expected kinds among' gen k8s --only Ingress
expect_usage '--name "Bad_Name": expected a lowercase DNS label' gen grafana --name Bad_Name
expect_usage '--alert-for "later"' gen rules-test --alert-for later
expect_usage '--output-dir is required' gen compose
expect_usage 'yaml' gen k8s -o xml
ok "bad flags exit 2 naming the flag and the value"

touch "$WORK/a-file"
rc=0
"$IGW_BIN" gen grafana --output-dir "$WORK/a-file/sub" >/dev/null 2>"$WORK/stderr" || rc=$?
[[ $rc -eq 1 ]] || fail "writing under a file exited $rc, expected 1"
grep -q "cannot write" "$WORK/stderr" || fail "no 'cannot write' message"
ok "an unwritable --output-dir exits 1"

"$IGW_BIN" gen compose --output-dir "$WORK/stack" 2>/dev/null
for f in docker-compose.yaml README.md prometheus/prometheus.yml prometheus/inference-gateway-rules.yml \
  grafana/provisioning/datasources/datasources.yaml grafana/provisioning/dashboards/dashboards.yaml \
  grafana/dashboards/inference-gateway.json promtail/promtail.yaml otel-collector/config.yaml; do
  [[ -s $WORK/stack/$f ]] || fail "gen compose did not write $f"
done
grep -q "docker compose up" "$WORK/stack/README.md" || fail "the README does not say how to start the stack"
# Every folder the compose file mounts from the stack is there, and every service it depends on exists.
(cd "$IGW_E2E_DIR" && node --input-type=module -e "
  import { parse } from 'yaml'; import { existsSync, readFileSync } from 'node:fs';
  const c = parse(readFileSync('$WORK/stack/docker-compose.yaml', 'utf8'));
  for (const [name, s] of Object.entries(c.services)) {
    for (const v of s.volumes ?? []) {
      const src = v.split(':')[0];
      if (src.startsWith('./') && !existsSync('$WORK/stack/' + src)) throw new Error(name + ': missing ' + src);
    }
    for (const d of s.depends_on ?? []) if (!c.services[d]) throw new Error(name + ': unknown ' + d);
  }
  const want = ['prometheus', 'grafana', 'loki', 'promtail', 'otel-collector', 'jaeger', 'inference-gateway'];
  for (const w of want) if (!c.services[w]) throw new Error('no service ' + w);
  if (c.services['inference-gateway'].environment.TELEMETRY_ENABLE !== 'true') throw new Error('telemetry off');
") || fail "the compose file does not hold together"
ok "gen compose writes a complete stack whose mounts and dependencies resolve"
