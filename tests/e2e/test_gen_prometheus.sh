#!/usr/bin/env bash
# promtool accepts what `igw gen` writes for Prometheus: the plain scrape config and rule file
# (`gen prometheus`), the compose stack's Prometheus config, and the PrometheusRule's spec (`gen k8s`),
# extracted both from the JSON List (jq) and from the YAML stream (the npm `yaml` package).
source "$(dirname "$0")/gen_lib.sh"
command -v promtool >/dev/null || fail "promtool not installed"

for set in default custom; do
  args=()
  [[ $set == custom ]] && args=("${NAMING[@]}" "${SCRAPE[@]}" "${ALERTING[@]}")
  dir=$WORK/prometheus-$set
  "$IGW_BIN" gen prometheus "${args[@]}" --output-dir "$dir" 2>/dev/null
  promtool check config "$dir/prometheus.yml" >"$WORK/out" 2>&1 || { cat "$WORK/out"; fail "$set: check config"; }
  grep -q "SUCCESS: 3 rules found" "$WORK/out" || { cat "$WORK/out"; fail "$set: the config does not load 3 rules"; }
  ok "$set: promtool check config on gen prometheus (with its rule file)"
  "$IGW_BIN" gen prometheus "${args[@]}" --only rules >"$WORK/rules.yml"
  promtool check rules "$WORK/rules.yml" >/dev/null || fail "$set: check rules on --only rules"
  cmp -s "$WORK/rules.yml" "$dir/inference-gateway-rules.yml" || fail "$set: --only rules differs from the file"
  ok "$set: promtool check rules on gen prometheus --only rules"

  "$IGW_BIN" gen compose "${args[@]}" --output-dir "$WORK/compose-$set" 2>/dev/null
  promtool check config "$WORK/compose-$set/prometheus/prometheus.yml" >"$WORK/out" 2>&1 ||
    { cat "$WORK/out"; fail "$set: check config on the compose stack"; }
  ok "$set: promtool check config on gen compose"

  k8s_args=()
  [[ $set == custom ]] && k8s_args=("${ALERTING[@]}" --name llm-gw)
  "$IGW_BIN" gen k8s "${k8s_args[@]}" --only PrometheusRule -o json | jq '.items[0].spec' >"$WORK/spec.json"
  promtool check rules "$WORK/spec.json" >/dev/null || fail "$set: check rules on the PrometheusRule spec (json)"
  "$IGW_BIN" gen k8s "${k8s_args[@]}" >"$WORK/k8s.yaml"
  (cd "$IGW_E2E_DIR" && node --input-type=module -e "
    import { parseAllDocuments, stringify } from 'yaml';
    import { readFileSync } from 'node:fs';
    const rule = parseAllDocuments(readFileSync('$WORK/k8s.yaml', 'utf8')).map((d) => d.toJS())
      .find((o) => o.kind === 'PrometheusRule');
    process.stdout.write(stringify(rule.spec));") >"$WORK/spec.yml"
  promtool check rules "$WORK/spec.yml" >/dev/null || fail "$set: check rules on the PrometheusRule spec (yaml)"
  # Literal blocks end their last line; otherwise the two specs are the same data.
  trim='walk(if type == "string" then rtrimstr("\n") else . end)'
  diff <(jq -S "$trim" "$WORK/spec.json") <(cd "$IGW_E2E_DIR" && node --input-type=module -e "
    import { parse } from 'yaml'; import { readFileSync } from 'node:fs';
    console.log(JSON.stringify(parse(readFileSync('$WORK/spec.yml', 'utf8'))));" | jq -S "$trim") ||
    fail "$set: the YAML and JSON PrometheusRule specs differ"
  ok "$set: promtool check rules on the PrometheusRule spec, from -o json and from YAML"
done
