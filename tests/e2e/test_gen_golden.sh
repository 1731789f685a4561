#!/usr/bin/env bash
# Every `igw gen` output, with default flags and with non-default ones, byte for byte against the golden
# files in tests/golden/gen/{default,custom}. Regenerate them with IGW_UPDATE_GOLDEN=1 (then review the diff).
source "$(dirname "$0")/gen_lib.sh"
GOLDEN=$IGW_SOURCE_DIR/tests/golden/gen

generate() {  # generate DIR: every output of one flag set into DIR
  local dir=$1 set=$2
  mkdir -p "$dir"
  if [[ $set == default ]]; then
    "$IGW_BIN" gen k8s >"$dir/k8s.yaml"
    "$IGW_BIN" gen prometheus >"$dir/prometheus.yaml"
    "$IGW_BIN" gen grafana >"$dir/grafana.json"
    "$IGW_BIN" gen otel-collector >"$dir/otel-collector.yaml"
    "$IGW_BIN" gen rules-test >"$dir/rules-test.yaml"
    "$IGW_BIN" gen compose --output-dir "$dir/compose" 2>/dev/null
  else
    "$IGW_BIN" gen k8s "${NAMING[@]}" "${SCRAPE[@]}" "${ALERTING[@]}" --namespace llm --monitoring-namespace mon \
      --release prom --jaeger-endpoint jaeger.tracing:4317 --with-gateway --image registry.example.com/igw:1.2.3 \
      -o json >"$dir/k8s.json"
    "$IGW_BIN" gen k8s "${NAMING[@]}" --with-gateway --only Deployment,Service >"$dir/k8s-only.yaml"
    "$IGW_BIN" gen prometheus "${NAMING[@]}" "${SCRAPE[@]}" "${ALERTING[@]}" >"$dir/prometheus.yaml"
    "$IGW_BIN" gen prometheus "${NAMING[@]}" "${ALERTING[@]}" --only rules >"$dir/prometheus-rules.yaml"
    "$IGW_BIN" gen grafana "${NAMING[@]}" >"$dir/grafana.json"
    "$IGW_BIN" gen otel-collector --jaeger-endpoint jaeger.tracing:4317 >"$dir/otel-collector.yaml"
    "$IGW_BIN" gen rules-test "${NAMING[@]}" "${ALERTING[@]}" --rules-file rules.yml >"$dir/rules-test.yaml"
    "$IGW_BIN" gen compose "${NAMING[@]}" "${SCRAPE[@]}" "${ALERTING[@]}" --image registry.example.com/igw:1.2.3 \
      --output-dir "$dir/compose" 2>/dev/null
  fi
}

for set in default custom; do
  generate "$WORK/$set" $set
  generate "$WORK/again-$set" $set
  diff -r "$WORK/$set" "$WORK/again-$set" >/dev/null || fail "$set: two runs differ (output is not deterministic)"
  ok "$set: deterministic"
  if [[ ${IGW_UPDATE_GOLDEN:-0} == 1 ]]; then
    rm -rf "${GOLDEN:?}/$set"
    mkdir -p "$GOLDEN"
    cp -r "$WORK/$set" "$GOLDEN/$set"
    echo "updated $GOLDEN/$set"
    continue
  fi
  [[ -d $GOLDEN/$set ]] || fail "no golden files in $GOLDEN/$set (run with IGW_UPDATE_GOLDEN=1)"
  if ! diff -ru "$GOLDEN/$set" "$WORK/$set"; then
    fail "$set: output differs from $GOLDEN/$set (IGW_UPDATE_GOLDEN=1 regenerates it)"
  fi
  ok "$set: $(find "$GOLDEN/$set" -type f | wc -l) files match the golden files"
done
