#!/usr/bin/env bash
# `igw gen k8s` objects validate against their schemas (kubernetes-models and
# @kubernetes-models/prometheus-operator via validate_k8s.mjs) in every form: YAML stream, JSON List,
# one file per object, with and without the gateway Deployment, with default and custom flags. The
# ConfigMaps carry exactly what `gen grafana` and `gen otel-collector` print.
source "$(dirname "$0")/gen_lib.sh"
validate() { (cd "$IGW_E2E_DIR" && node validate_k8s.mjs "$1") >"$WORK/out" 2>&1 || { cat "$WORK/out"; fail "$2"; }; }
custom=("${NAMING[@]}" "${SCRAPE[@]}" "${ALERTING[@]}" --namespace llm --monitoring-namespace mon --release prom)

"$IGW_BIN" gen k8s >"$WORK/default.yaml"
validate "$WORK/default.yaml" "default YAML"
grep -q "^7 objects, 0 failures" "$WORK/out" || fail "default: expected 7 valid objects"
ok "default YAML: 7 objects valid"

"$IGW_BIN" gen k8s "${custom[@]}" --with-gateway >"$WORK/custom.yaml"
validate "$WORK/custom.yaml" "custom YAML with the gateway"
grep -q "^8 objects, 0 failures" "$WORK/out" || fail "custom: expected 8 valid objects"
grep -q "ok   Deployment/llm/llm-gw" "$WORK/out" || fail "custom: no gateway Deployment in namespace llm"
ok "custom YAML with --with-gateway: 8 objects valid"

"$IGW_BIN" gen k8s "${custom[@]}" --with-gateway -o json >"$WORK/list.json"
[[ $(jq -r .kind "$WORK/list.json") == List ]] || fail "-o json is not a List"
validate "$WORK/list.json" "JSON List"
ok "-o json List: $(jq '.items | length' "$WORK/list.json") objects valid"

"$IGW_BIN" gen k8s --with-gateway --output-dir "$WORK/files" 2>/dev/null
[[ $(ls "$WORK/files" | wc -l) -eq 8 ]] || fail "--output-dir: expected 8 files, got $(ls "$WORK/files")"
for f in "$WORK"/files/*.yaml; do validate "$f" "$(basename "$f")"; done
ok "--output-dir: 8 files, each valid"

# A corrupted object must be caught by the same validator.
sed 's/port: 9464/port: nine/' "$WORK/default.yaml" >"$WORK/broken.yaml"
if (cd "$IGW_E2E_DIR" && node validate_k8s.mjs "$WORK/broken.yaml") >/dev/null 2>&1; then
  fail "the validator accepts a Service port that is not a number"
fi
ok "the validator rejects a corrupted object"

"$IGW_BIN" gen k8s --only ServiceMonitor,PrometheusRule -o json >"$WORK/only.json"
[[ $(jq -c '[.items[].kind]' "$WORK/only.json") == '["ServiceMonitor","PrometheusRule"]' ]] || fail "--only"
ok "--only ServiceMonitor,PrometheusRule"

# The ConfigMaps hold the other generators' outputs, byte for byte.
"$IGW_BIN" gen k8s -o json >"$WORK/all.json"
jq -j '.items[] | select(.metadata.name == "inference-gateway-dashboard") | .data["inference-gateway.json"]' \
  "$WORK/all.json" >"$WORK/dash-from-cm.json"
cmp "$WORK/dash-from-cm.json" <("$IGW_BIN" gen grafana) || fail "the dashboard ConfigMap differs from gen grafana"
jq -j '.items[] | select(.kind == "ConfigMap" and .metadata.name == "otel-collector") | .data["config.yaml"]' \
  "$WORK/all.json" >"$WORK/otel-from-cm.yaml"
cmp "$WORK/otel-from-cm.yaml" <("$IGW_BIN" gen otel-collector) || fail "the collector ConfigMap differs from gen otel-collector"
ok "the ConfigMaps carry gen grafana and gen otel-collector output"

# The same holds in the YAML stream: the literal blocks read back as the exact texts.
"$IGW_BIN" gen grafana >"$WORK/dash.json"
"$IGW_BIN" gen otel-collector >"$WORK/otel.yaml"
(cd "$IGW_E2E_DIR" && node --input-type=module -e "
  import { parseAllDocuments } from 'yaml'; import { readFileSync } from 'node:fs';
  const objects = parseAllDocuments(readFileSync('$WORK/default.yaml', 'utf8')).map((d) => d.toJS());
  const data = (name) => objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name).data;
  if (data('inference-gateway-dashboard')['inference-gateway.json'] !== readFileSync('$WORK/dash.json', 'utf8'))
    throw new Error('dashboard ConfigMap (YAML) differs from gen grafana');
  if (data('otel-collector')['config.yaml'] !== readFileSync('$WORK/otel.yaml', 'utf8'))
    throw new Error('collector ConfigMap (YAML) differs from gen otel-collector');
") || fail "the YAML ConfigMaps do not read back as the generators' output"
ok "the YAML ConfigMaps read back as gen grafana and gen otel-collector output"
