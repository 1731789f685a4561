#!/usr/bin/env bash
# `promtool test rules` passes on `igw gen rules-test` (default and custom thresholds, short `for`), and
# fails once a threshold in the generated rule file is edited by hand, up or down, for every alert: the
# tests pin each threshold from both sides.
source "$(dirname "$0")/gen_lib.sh"
command -v promtool >/dev/null || fail "promtool not installed"

for set in default custom; do
  args=()
  [[ $set == custom ]] && args=("${NAMING[@]}" "${ALERTING[@]}")
  "$IGW_BIN" gen rules-test "${args[@]}" --output-dir "$WORK/$set" 2>/dev/null
  promtool test rules "$WORK/$set/inference-gateway-rules.test.yml" >"$WORK/out" 2>&1 ||
    { cat "$WORK/out"; fail "$set: promtool test rules"; }
  ok "$set: promtool test rules passes ($(grep -c '^  - name:' "$WORK/$set/inference-gateway-rules.test.yml") tests)"
done

# Alert, the threshold as the default rule file writes it, a raised and a lowered value.
edits=(
  "InferenceGatewayHighErrorRate 0.05 0.06 0.04"
  "InferenceGatewayP95LatencyHigh 5000 8000 4000"
  "InferenceGatewayToolCallFailures 0.1 0.11 0.09"
)
for edit in "${edits[@]}"; do
  read -r alert value raised lowered <<<"$edit"
  for new in "$raised" "$lowered"; do
    dir=$WORK/edit-$alert-$new
    cp -r "$WORK/default" "$dir"
    grep -q "> $value\$" "$dir/inference-gateway-rules.yml" || fail "no '> $value' in the rule file"
    sed -i "s/> $value\$/> $new/" "$dir/inference-gateway-rules.yml"
    promtool check rules "$dir/inference-gateway-rules.yml" >/dev/null || fail "the edited rule file is invalid"
    if promtool test rules "$dir/inference-gateway-rules.test.yml" >"$WORK/out" 2>&1; then
      fail "$alert: promtool test rules still passes with the threshold edited from $value to $new"
    fi
    grep -q "alertname: $alert" "$WORK/out" || { cat "$WORK/out"; fail "$alert: the failure does not name the alert"; }
    ok "$alert: editing the threshold $value -> $new makes promtool test rules fail"
  done
done

# The `for` is pinned too: a shorter one fires before the test says it may.
cp -r "$WORK/default" "$WORK/edit-for"
sed -i '0,/for: 10m/s//for: 5m/' "$WORK/edit-for/inference-gateway-rules.yml"
if promtool test rules "$WORK/edit-for/inference-gateway-rules.test.yml" >/dev/null 2>&1; then
  fail "promtool test rules still passes with a shorter for"
fi
ok "shortening an alert's for makes promtool test rules fail"
