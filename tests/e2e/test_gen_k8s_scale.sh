#!/usr/bin/env bash
# `igw gen k8s --with-gateway` at scale: --replicas, the HorizontalPodAutoscaler (--hpa-min/--hpa-max/
# --hpa-cpu), the PodDisruptionBudget, provider keys from --secret (never a key value inline), resources,
# the grace period from --drain-timeout and the default image. Every variant validates against the
# kubernetes-models schemas (validate_k8s.mjs); the full variant is diffed against
# tests/golden/gen/scale (IGW_UPDATE_GOLDEN=1 regenerates it).
source "$(dirname "$0")/gen_lib.sh"
validate() { (cd "$IGW_E2E_DIR" && node validate_k8s.mjs "$1") >"$WORK/out" 2>&1 || { cat "$WORK/out"; fail "$2"; }; }
gen_json() { "$IGW_BIN" gen k8s --with-gateway -o json "$@"; }
# kind NAME: the gateway object of that kind from the List on stdin
kind() { jq -c --arg k "$1" '.items[] | select(.kind == $k and .metadata.namespace != "monitoring")'; }
FULL=(--namespace llm --replicas 3 --hpa-min 2 --hpa-max 12 --hpa-cpu 60 --secret llm-keys
  --cpu-request 500m --cpu-limit 2 --memory-request 256Mi --memory-limit 1Gi --drain-timeout 1m)

# Defaults: one replica as before, so neither an autoscaler nor a budget; the image of this version.
gen_json >"$WORK/default.json"
[[ $(jq -c '[.items[].kind] | map(select(. == "HorizontalPodAutoscaler" or . == "PodDisruptionBudget"))' \
  "$WORK/default.json") == '[]' ]] || fail "defaults: an autoscaler or budget for one replica"
dep=$(kind Deployment <"$WORK/default.json")
[[ $(jq .spec.replicas <<<"$dep") == 1 ]] || fail "defaults: replicas is not 1"
version=$("$IGW_BIN" version -o json | jq -r .version)
[[ $(jq -r '.spec.template.spec.containers[0].image' <<<"$dep") == "ghcr.io/inference-gateway/igw:$version" ]] ||
  fail "defaults: the image is not ghcr.io/inference-gateway/igw:$version"
[[ $(jq -c '.spec.template.spec.containers[0].resources' <<<"$dep") == \
  '{"requests":{"cpu":"250m","memory":"128Mi"},"limits":{"cpu":"1","memory":"512Mi"}}' ]] || fail "default resources"
drain=$("$IGW_BIN" config list -o json | jq -r '.[] | select(.env == "SERVER_DRAIN_TIMEOUT") | .default')
[[ $drain == 30s && $(jq .spec.template.spec.terminationGracePeriodSeconds <<<"$dep") == 40 ]] ||
  fail "defaults: the grace period is not the catalog's drain ($drain) + 10s"
probes=$(jq -c '.spec.template.spec.containers[0] | [.readinessProbe.httpGet, .livenessProbe.httpGet]' <<<"$dep")
[[ $probes == '[{"path":"/health","port":"http"},{"path":"/health","port":"http"}]' ]] || fail "probes: $probes"
ok "defaults: 1 replica, no HPA/PDB, image igw:$version, resources 250m/1 128Mi/512Mi, grace 40s, /health probes"

"$IGW_BIN" gen k8s --with-gateway --replicas 3 >"$WORK/replicas.yaml"
validate "$WORK/replicas.yaml" "--replicas 3"
grep -q "^9 objects, 0 failures" "$WORK/out" || fail "--replicas 3: expected 9 valid objects"
grep -q "ok   PodDisruptionBudget/inference-gateway/inference-gateway" "$WORK/out" || fail "--replicas 3: no PDB"
ok "--replicas 3: Deployment + PodDisruptionBudget, 9 objects valid"

# The full set, in every form.
"$IGW_BIN" gen k8s --with-gateway "${FULL[@]}" >"$WORK/full.yaml"
validate "$WORK/full.yaml" "full YAML"
grep -q "^10 objects, 0 failures" "$WORK/out" || fail "full: expected 10 valid objects"
grep -q "ok   HorizontalPodAutoscaler/llm/inference-gateway" "$WORK/out" || fail "full: no HPA in llm"
gen_json "${FULL[@]}" >"$WORK/full.json"
validate "$WORK/full.json" "full JSON List"
"$IGW_BIN" gen k8s --with-gateway "${FULL[@]}" --output-dir "$WORK/files" 2>/dev/null
[[ $(ls "$WORK/files" | wc -l) -eq 10 ]] || fail "--output-dir: expected 10 files, got $(ls "$WORK/files")"
for f in horizontalpodautoscaler-inference-gateway.yaml poddisruptionbudget-inference-gateway.yaml; do
  [[ -f $WORK/files/$f ]] || fail "--output-dir: no $f"
done
for f in "$WORK"/files/*.yaml; do validate "$f" "$(basename "$f")"; done
ok "full flags: 10 objects valid as YAML, JSON List and one file each"

dep=$(kind Deployment <"$WORK/full.json")
hpa=$(kind HorizontalPodAutoscaler <"$WORK/full.json")
pdb=$(kind PodDisruptionBudget <"$WORK/full.json")
[[ $(jq -c '.spec | has("replicas")' <<<"$dep") == false ]] || fail "the Deployment sets replicas under an HPA"
[[ $(jq -c '[.spec.scaleTargetRef.kind, .spec.scaleTargetRef.name, .spec.minReplicas, .spec.maxReplicas,
  .spec.metrics[0].resource.target.averageUtilization]' <<<"$hpa") == '["Deployment","inference-gateway",2,12,60]' ]] ||
  fail "HPA: $hpa"
[[ $(jq -c '.spec.scaleTargetRef.name' <<<"$hpa") == $(jq -c .metadata.name <<<"$dep") ]] || fail "HPA target"
[[ $(jq -c .spec.minAvailable <<<"$pdb") == 1 ]] || fail "PDB minAvailable"
[[ $(jq -c .spec.selector <<<"$pdb") == $(jq -c .spec.selector <<<"$dep") ]] || fail "PDB selects other pods"
[[ $(jq -c '.spec.template.spec.containers[0].resources' <<<"$dep") == \
  '{"requests":{"cpu":"500m","memory":"256Mi"},"limits":{"cpu":"2","memory":"1Gi"}}' ]] || fail "resources"
[[ $(jq .spec.template.spec.terminationGracePeriodSeconds <<<"$dep") == 70 ]] || fail "--drain-timeout 1m: grace"
[[ $(jq -r '.spec.template.spec.containers[0].env[] | select(.name == "SERVER_DRAIN_TIMEOUT") | .value' \
  <<<"$dep") == 1m ]] || fail "--drain-timeout 1m: SERVER_DRAIN_TIMEOUT not set"
ok "HPA targets the Deployment (2..12 pods at 60% CPU), Deployment leaves replicas to it, PDB minAvailable 1"

# Keys: with --secret the whole Secret comes in by envFrom; no secret setting ever has a value.
[[ $(jq -c '.spec.template.spec.containers[0].envFrom' <<<"$dep") == '[{"secretRef":{"name":"llm-keys"}}]' ]] ||
  fail "--secret: no envFrom secretRef llm-keys"
[[ $(jq '[.spec.template.spec.containers[0].env[] | select(.valueFrom)] | length' <<<"$dep") == 0 ]] ||
  fail "--secret: per-key references remain"
secrets=$("$IGW_BIN" config list -o json | jq -c '[.[] | select(.secret) | .env]')
for file in "$WORK/default.json" "$WORK/full.json"; do
  jq -e --argjson s "$secrets" '[.. | objects | select(.name? and (.name as $n | $s | index($n)) and has("value"))]
    | length == 0' "$file" >/dev/null || fail "$(basename "$file"): a secret setting has an inline value"
done
[[ $(jq '[.items[] | .. | objects | select(.secretKeyRef?)] | length' "$WORK/default.json") -gt 0 ]] ||
  fail "defaults: no secretKeyRef (optional per-key references to a Secret named after the gateway)"
ok "--secret: envFrom secretRef, no per-key refs; no secret setting has an inline value, with or without it"

# The Deployment's environment is one the gateway accepts.
mapfile -t envs < <(jq -r '.spec.template.spec.containers[0].env[] | select(has("value")) | "\(.name)=\(.value)"' \
  <<<"$dep")
env -i PATH="$PATH" "${envs[@]}" "$IGW_BIN" config check >"$WORK/check" 2>&1 || {
  cat "$WORK/check"
  fail "igw config check refuses the generated environment"
}
ok "igw config check accepts the generated environment (${#envs[@]} variables)"

# Quantities igw accepts are quantities Kubernetes accepts; a CPU limit can be dropped.
for q in 100m 0.5 2 1500m; do
  "$IGW_BIN" gen k8s --with-gateway --only Deployment --cpu-request "$q" --cpu-limit "" >"$WORK/q.yaml"
  validate "$WORK/q.yaml" "--cpu-request $q"
done
for q in 64Mi 1G 1.5Gi 1e9; do
  "$IGW_BIN" gen k8s --with-gateway --only Deployment --memory-request "$q" --memory-limit 2Gi >"$WORK/q.yaml"
  validate "$WORK/q.yaml" "--memory-request $q"
done
[[ $(gen_json --cpu-limit "" | kind Deployment | jq -c '.spec.template.spec.containers[0].resources.limits') == \
  '{"memory":"512Mi"}' ]] || fail '--cpu-limit "" does not drop the CPU limit'
ok "resource quantities validate; --cpu-limit \"\" drops the CPU limit"

expect_usage() {  # expect_usage "message" args...: exit 2, the message on stderr, nothing on stdout
  local message=$1 rc=0
  shift
  "$IGW_BIN" gen k8s "$@" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
  [[ $rc -eq 2 ]] || fail "gen k8s $* exited $rc, expected 2"
  grep -qF -- "$message" "$WORK/stderr" || { cat "$WORK/stderr"; fail "gen k8s $*: stderr lacks '$message'"; }
  [[ ! -s $WORK/stdout ]] || fail "gen k8s $*: wrote to stdout on a usage error"
}
expect_usage '--replicas requires --with-gateway' --replicas 2
expect_usage '--secret requires --with-gateway' --secret keys
expect_usage '--hpa-min requires --hpa-max' --with-gateway --hpa-min 2
expect_usage '--hpa-cpu requires --hpa-max' --with-gateway --hpa-cpu 50
expect_usage '--hpa-max 2: expected a whole number from 3 to 1000' --with-gateway --replicas 3 --hpa-max 2
expect_usage '--hpa-cpu 0: expected a whole number from 1 to 100' --with-gateway --hpa-max 3 --hpa-cpu 0
expect_usage '--replicas 0: expected a whole number from 1 to 1000' --with-gateway --replicas 0
expect_usage '--secret "Keys": expected a Secret name' --with-gateway --secret Keys
expect_usage '--cpu-request "lots": expected a Kubernetes quantity' --with-gateway --cpu-request lots
expect_usage '--memory-limit "64Mi": expected at least --memory-request "128Mi"' --with-gateway --memory-limit 64Mi
expect_usage '--drain-timeout "soon": expected a duration' --with-gateway --drain-timeout soon
ok "bad scale flags exit 2 naming the flag and the value"

# Golden: the full set, byte for byte.
GOLDEN=$IGW_SOURCE_DIR/tests/golden/gen/scale
"$IGW_BIN" gen k8s --with-gateway "${FULL[@]}" --only Deployment,HorizontalPodAutoscaler,PodDisruptionBudget \
  >"$WORK/scale.yaml"
if [[ ${IGW_UPDATE_GOLDEN:-0} == 1 ]]; then
  mkdir -p "$GOLDEN"
  cp "$WORK/scale.yaml" "$GOLDEN/k8s-gateway.yaml"
  echo "updated $GOLDEN/k8s-gateway.yaml"
fi
diff -u "$GOLDEN/k8s-gateway.yaml" "$WORK/scale.yaml" ||
  fail "the gateway objects differ from $GOLDEN/k8s-gateway.yaml (IGW_UPDATE_GOLDEN=1 regenerates it)"
ok "the gateway objects match tests/golden/gen/scale/k8s-gateway.yaml"
