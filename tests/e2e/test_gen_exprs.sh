#!/usr/bin/env bash
# Every PromQL expression igw generates parses in promtool: each dashboard panel target (Grafana's
# $__rate_interval and the $provider/$model variables substituted as Grafana would) and each alert
# expression become recording rules of a check file. Breaking one expression must fail the check.
source "$(dirname "$0")/gen_lib.sh"
command -v promtool >/dev/null || fail "promtool not installed"

"$IGW_BIN" gen grafana >"$WORK/dashboard.json"
"$IGW_BIN" gen prometheus --only rules >"$WORK/rules.yml"
(cd "$IGW_E2E_DIR" && node --input-type=module -e "
  import { parse } from 'yaml'; import { readFileSync } from 'node:fs';
  const groups = parse(readFileSync('$WORK/rules.yml', 'utf8')).groups;
  console.log(JSON.stringify(groups.flatMap((g) => g.rules.map((r) => r.expr))));") >"$WORK/alert_exprs.json"

jq '[.panels[] | select(.targets) | .targets[].expr
     | gsub("\\$__rate_interval"; "5m") | gsub("\\$provider|\\$model"; ".*")]' "$WORK/dashboard.json" \
  >"$WORK/panel_exprs.json"
panels=$(jq length "$WORK/panel_exprs.json")
alerts=$(jq length "$WORK/alert_exprs.json")
[[ $panels -ge 13 && $alerts -eq 3 ]] || fail "expected >= 13 panel and 3 alert expressions, got $panels and $alerts"

# A rule file is YAML, and JSON is YAML: one group of recording rules igw:check:N.
jq -s 'add | {groups: [{name: "igw-expression-check",
                         rules: [to_entries[] | {record: "igw:check:\(.key)", expr: .value}]}]}' \
  "$WORK/panel_exprs.json" "$WORK/alert_exprs.json" >"$WORK/check.json"
promtool check rules "$WORK/check.json" >"$WORK/out" 2>&1 || { cat "$WORK/out"; fail "promtool rejected an expression"; }
grep -q "SUCCESS: $((panels + alerts)) rules found" "$WORK/out" || { cat "$WORK/out"; fail "rule count"; }
ok "$panels panel and $alerts alert expressions parse in promtool"

jq '.groups[0].rules[0].expr |= sub("\\)\\)$"; ")")' "$WORK/check.json" >"$WORK/broken.json"
if promtool check rules "$WORK/broken.json" >/dev/null 2>&1; then fail "the check accepts a broken expression"; fi
ok "a broken expression fails the same check"
