#!/usr/bin/env bash
# The Dockerfile, checked without a Docker engine: its stages and instructions; the runtime stage installs
# exactly the Debian 12 packages that hold the libraries `ldd $IGW_BIN` resolves (plus CA certificates),
# nothing to build with; each package exists; and its ENTRYPOINT + CMD and HEALTHCHECK work when run
# directly (the gateway on 127.0.0.1 only): the check passes against a live gateway and fails once it stops.
source "$(dirname "$0")/lib.sh"
IGW_SOURCE_DIR=${IGW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
DOCKERFILE=$IGW_SOURCE_DIR/Dockerfile
[[ -f $DOCKERFILE ]] || fail "no Dockerfile at $DOCKERFILE"

# One line per instruction: comment and blank lines dropped, continuation lines joined, spaces squeezed.
sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$DOCKERFILE" | sed -e ':a' -e '/\\$/{N; s/\\\n/ /; ba}' |
  tr -s ' \t' ' ' >"$IGW_E2E_TMP/instructions"
# The final stage: from the last FROM on.
awk '/^FROM /{stage = ""} {stage = stage $0 "\n"} END {printf "%s", stage}' "$IGW_E2E_TMP/instructions" \
  >"$IGW_E2E_TMP/final"
last() { grep -E "^$1 " "$IGW_E2E_TMP/final" | tail -n 1 | cut -d' ' -f2-; }  # last() INSTRUCTION: its arguments

# Stages: a Debian 12 build stage running the repository's scripts, a slim Debian 12 runtime stage.
mapfile -t froms < <(grep -E '^FROM ' "$IGW_E2E_TMP/instructions")
assert_eq 2 "${#froms[@]}" "FROM lines (stages)"
[[ ${froms[0]} =~ ^FROM\ debian:(12|bookworm)(-slim)?\ AS\ build$ ]] || fail "build stage: ${froms[0]}"
[[ ${froms[1]} =~ ^FROM\ debian:(12-slim|bookworm-slim)$ ]] || fail "runtime stage: ${froms[1]}"
build_stage=$(awk '/^FROM /{n++} n == 1' "$IGW_E2E_TMP/instructions")
grep -qE '^RUN scripts/bootstrap( |$)' <<<"$build_stage" || fail "the build stage does not run scripts/bootstrap"
build_run=$(grep -E '^RUN scripts/build( |$)' <<<"$build_stage") || fail "the build stage does not run scripts/build"
# scripts/build hands its arguments to cmake's configure step: each -D must be an option of the project.
grep -q 'cmake -S . -B .* "\$@"' "$IGW_SOURCE_DIR/scripts/build" || fail "scripts/build no longer passes arguments to cmake"
for define in $(grep -oE -- '-D[A-Z_]+' <<<"$build_run"); do
  grep -qE "option\(${define#-D} " "$IGW_SOURCE_DIR/CMakeLists.txt" || fail "scripts/build $define: no such CMake option"
done
grep -qE '^COPY --from=build \S*build/cli/igw /usr/local/bin/igw$' "$IGW_E2E_TMP/final" ||
  fail "the runtime stage does not copy build/cli/igw to /usr/local/bin/igw"
ok "stages: ${froms[0]#FROM }, ${froms[1]#FROM }; scripts/bootstrap, scripts/build ${build_run#RUN scripts/build }"

# The runtime stage's instructions.
user=$(last USER)
[[ -n $user ]] || fail "the runtime stage sets no USER"
[[ ${user%%:*} != root && ${user%%:*} != 0 ]] || fail "the runtime stage runs as root ($user)"
pod_uid=$("$IGW_BIN" gen k8s --with-gateway --only Deployment -o json |
  jq -r '.items[-1].spec.template.spec.securityContext.runAsUser')
assert_eq "$pod_uid" "${user%%:*}" "USER vs the runAsUser of igw gen k8s pods"
grep -qE "^RUN .*useradd .*--uid $pod_uid " "$IGW_E2E_TMP/final" || fail "no user with uid $pod_uid is created"
catalog() { "$IGW_BIN" config list -o json | jq -r --arg e "$1" '.[] | select(.env == $e) | .default'; }
assert_eq "EXPOSE $(catalog SERVER_PORT) $(catalog TELEMETRY_METRICS_PORT)" "EXPOSE $(last EXPOSE)" "EXPOSE"
grep -qx 'ENV SERVER_HOST=0.0.0.0' "$IGW_E2E_TMP/final" || fail "no ENV SERVER_HOST=0.0.0.0"
entrypoint=$(last ENTRYPOINT)
cmd=$(last CMD)
jq -e 'type == "array"' <<<"$entrypoint" >/dev/null 2>&1 || fail "ENTRYPOINT is not in JSON form: $entrypoint"
jq -e 'type == "array"' <<<"$cmd" >/dev/null 2>&1 || fail "CMD is not in JSON form: $cmd"
assert_eq '["igw"]' "$(jq -c . <<<"$entrypoint")" "ENTRYPOINT"
assert_eq '["serve"]' "$(jq -c . <<<"$cmd")" "CMD"
healthcheck=$(last HEALTHCHECK)
health_cmd=${healthcheck#* CMD }
[[ $healthcheck == *" CMD "* ]] && jq -e 'type == "array"' <<<"$health_cmd" >/dev/null 2>&1 ||
  fail "HEALTHCHECK is not CMD in JSON form: $healthcheck"
assert_eq '["igw","doctor","--quick"]' "$(jq -c . <<<"$health_cmd")" "HEALTHCHECK command"
# Docker must give the check longer than doctor's own probe timeout.
check_timeout=$(grep -oE -- '--timeout=[0-9]+s' <<<"$healthcheck" | grep -oE '[0-9]+') || fail "HEALTHCHECK has no --timeout"
doctor_timeout=$("$IGW_BIN" doctor --help | grep -oE -- '--timeout TEXT=[0-9]+s' | grep -oE '[0-9]+s$' | tr -d s)
[[ -n $doctor_timeout ]] || fail "igw doctor --help shows no --timeout default"
((check_timeout > doctor_timeout)) || fail "HEALTHCHECK --timeout=${check_timeout}s is not above doctor's ${doctor_timeout}s"
ok "runtime stage: USER $user (uid of gen k8s pods), EXPOSE $(last EXPOSE), SERVER_HOST=0.0.0.0, ENTRYPOINT/CMD/HEALTHCHECK in JSON form"

# The runtime packages: every package named on the runtime stage's apt-get install line.
install_line=$(grep -E '^RUN .*apt-get install' "$IGW_E2E_TMP/final") || fail "the runtime stage installs no packages"
runtime=$(sed -E 's/.*apt-get install//; s/&&.*//' <<<"$install_line" | tr ' ' '\n' | grep -vE '^(-.*)?$' | sort -u)
[[ -n $runtime ]] || fail "no package on the apt-get install line"
# Packages that hold no library of the binary, and why they are there.
extras=(ca-certificates) # the CA bundle upstream TLS (OpenSSL's default paths) verifies against
# The packages holding what the dynamic loader resolves, libc6 (libc, libm, the loader; in every Debian
# base image) aside.
package_of() {  # package_of PATH: the Debian package owning a library, usrmerge aliases included
  local path=$1 real
  real=$(readlink -f "$path")
  for p in "$real" "$path" "/usr$path" "${real#/usr}"; do
    dpkg -S "$p" 2>/dev/null | sed -n '1s/:.*//p' && return 0
  done
  return 1
}
: >"$IGW_E2E_TMP/needed"
while read -r lib path; do
  pkg=$(package_of "$path") || fail "$lib ($path): no Debian package owns it"
  echo "$pkg $lib" >>"$IGW_E2E_TMP/needed"
done < <(ldd "$IGW_BIN" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}')
needed=$(cut -d' ' -f1 "$IGW_E2E_TMP/needed" | grep -vx libc6 | sort -u)
[[ $(wc -l <<<"$needed") -ge 5 ]] || fail "ldd found too few libraries: $needed"
for pkg in $(comm -23 <(echo "$needed") <(echo "$runtime")); do
  fail "the runtime stage lacks $pkg (for $(awk -v p="$pkg" '$1 == p {print $2}' "$IGW_E2E_TMP/needed" | xargs))"
done
unneeded=$(comm -13 <(echo "$needed") <(echo "$runtime") | grep -vxF -f <(printf '%s\n' "${extras[@]}") || true)
[[ -z $unneeded ]] || fail "the runtime stage installs what the binary does not need: $(echo $unneeded)"
for pkg in "${extras[@]}"; do grep -qx "$pkg" <<<"$runtime" || fail "the runtime stage lacks $pkg"; done
build_only=$(grep -E -- '-dev$|^(g\+\+|gcc|cpp|clang.*|cmake|ninja-build|make|pkg-config|git|build-essential|binutils|nodejs|npm)(-[0-9]+)?$' \
  <<<"$runtime" || true)
[[ -z $build_only ]] || fail "build-only packages in the runtime stage: $(echo $build_only)"
ok "runtime packages = ldd's ($(echo $needed)) + $(echo "${extras[@]}"); nothing to build with"

# Each exists in Debian 12 (the package cache of this Debian 12 machine; no network needed).
[[ $(cut -d. -f1 /etc/debian_version 2>/dev/null) == 12 ]] || fail "not a Debian 12 machine: cannot check the packages"
for pkg in $runtime; do
  apt-cache show "$pkg" 2>/dev/null | grep '^Version: ' >/dev/null || fail "$pkg: not a Debian 12 package (apt-cache show)"
done
ok "every runtime package exists in Debian 12 ($(wc -w <<<"$runtime") packages)"

# ENTRYPOINT + CMD as the container runs them (igw is $IGW_BIN here; 127.0.0.1 instead of 0.0.0.0).
mapfile -t argv < <(jq -r '.[]' <<<"$entrypoint"; jq -r '.[]' <<<"$cmd")
argv[0]=$IGW_BIN
GW_LOG=$IGW_E2E_TMP/gateway.log
env SERVER_HOST=127.0.0.1 SERVER_PORT=0 "${argv[@]}" >"$GW_LOG" 2>&1 &
GW_PID=$!
IGW_E2E_PIDS+=("$GW_PID")
GW_PORT=$(igw_wait_log_port "$GW_LOG" '.logger=="server"' "$GW_PID")
igw_wait_until 10 igw_port_answers "$GW_PORT" || fail "the gateway port $GW_PORT does not answer"
assert_eq '{"message":"OK"}' "$(igw_curl "http://127.0.0.1:$GW_PORT/health")" "/health"
ok "ENTRYPOINT + CMD ($(jq -r '.[]' <<<"$entrypoint") $(jq -r '.[]' <<<"$cmd")) serves /health"

# The HEALTHCHECK command: pointed at the gateway with --api, and from the image's own environment
# (SERVER_HOST=0.0.0.0 means this host to doctor).
mapfile -t check < <(jq -r '.[]' <<<"$health_cmd")
check[0]=$IGW_BIN
healthcheck_rc() { # healthcheck_rc [ENV=VALUE...] -- [FLAGS...]: the check's exit code
  local envs=() rc=0
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  env "${envs[@]}" timeout "$check_timeout" "${check[@]}" "$@" >"$IGW_E2E_TMP/check.out" 2>&1 || rc=$?
  echo "$rc"
}
assert_eq 0 "$(healthcheck_rc -- --api "http://127.0.0.1:$GW_PORT")" "HEALTHCHECK --api (live): $(cat "$IGW_E2E_TMP/check.out")"
assert_eq 0 "$(healthcheck_rc SERVER_HOST=0.0.0.0 SERVER_PORT="$GW_PORT" --)" \
  "HEALTHCHECK in the image's environment (live): $(cat "$IGW_E2E_TMP/check.out")"
ok "HEALTHCHECK exits 0 against the live gateway"

igw_stop "$GW_PID" TERM 45
! igw_port_answers "$GW_PORT" || fail "the gateway still answers after it stopped"
rc=$(healthcheck_rc -- --api "http://127.0.0.1:$GW_PORT")
[[ $rc != 0 ]] || fail "HEALTHCHECK exits 0 with the gateway stopped"
assert_eq "$rc" "$(healthcheck_rc SERVER_HOST=0.0.0.0 SERVER_PORT="$GW_PORT" --)" "HEALTHCHECK from the environment (stopped)"
ok "HEALTHCHECK exits $rc once the gateway is stopped"

# The tag scheme: what the generators deploy is ghcr.io/inference-gateway/igw:<the project version>.
version=$(sed -nE 's/^project\(igw VERSION ([0-9.]+) .*/\1/p' "$IGW_SOURCE_DIR/CMakeLists.txt")
assert_eq "$version" "$("$IGW_BIN" version -o json | jq -r .version)" "igw version vs CMakeLists.txt"
image=$("$IGW_BIN" gen k8s --with-gateway --only Deployment -o json | jq -r '.items[-1].spec.template.spec.containers[0].image')
assert_eq "ghcr.io/inference-gateway/igw:$version" "$image" "gen k8s default image"
ok "the generators' default image is ghcr.io/inference-gateway/igw:$version"
