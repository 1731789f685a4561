#!/usr/bin/env bash
# The Debian package, built by CPack from the existing build (nothing is recompiled): named
# igw_<version>_<arch>.deb, it holds /usr/bin/igw, the bash, zsh and fish completions and the man page where
# those look, and declares its runtime dependencies. As root (CI) it is installed with dpkg, igw runs from
# PATH, the shells and man find its files, and removing it takes them all away; otherwise that part is skipped.
source "$(dirname "$0")/lib.sh"
build=${IGW_BUILD_DIR:-$(cd "$(dirname "$IGW_BIN")/.." && pwd)}
[[ -f $build/CPackConfig.cmake ]] || fail "no $build/CPackConfig.cmake (configure with cmake first)"
command -v dpkg-deb >/dev/null || fail "dpkg-deb is not installed"

version=$("$IGW_BIN" version -o json | jq -r .version)
arch=$(dpkg --print-architecture)
out=$IGW_E2E_TMP/dist
timeout 240 cpack -G DEB -B "$out" --config "$build/CPackConfig.cmake" >"$IGW_E2E_TMP/cpack.log" 2>&1 \
  || fail "cpack failed: $(tail -n 20 "$IGW_E2E_TMP/cpack.log")"
deb=$out/igw_${version}_${arch}.deb
[[ -f $deb ]] || fail "no $(basename "$deb") in $out: $(ls "$out")"
ok "cpack built $(basename "$deb")"

contents=$(dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's:^\./:/:')
for path in /usr/bin/igw /usr/share/bash-completion/completions/igw /usr/share/zsh/vendor-completions/_igw \
  /usr/share/fish/vendor_completions.d/igw.fish /usr/share/man/man1/igw.1; do
  grep -qxF "$path" <<<"$contents" || fail "the package lacks $path; it has: $(tr '\n' ' ' <<<"$contents")"
done
ok "it holds the binary, the completions and the man page in the standard places"
assert_eq igw "$(dpkg-deb -f "$deb" Package)" "Package"
assert_eq "$version" "$(dpkg-deb -f "$deb" Version)" "Version"
depends=$(dpkg-deb -f "$deb" Depends)
[[ -n $depends ]] || fail "the package declares no Depends"
for lib in libc6 libstdc++6 libssl3; do assert_contains "$depends" "$lib" "Depends"; done
ok "Depends: $depends"

if [[ $(id -u) != 0 ]]; then
  echo "skip: installing the package needs root (CI runs as root)"
  echo "test_package: ok"
  exit 0
fi
if dpkg-query -W -f='${Status}' igw 2>/dev/null | grep -q "ok installed" || [[ -e /usr/bin/igw ]]; then
  echo "skip: igw is already installed on this machine; not touching it"
  echo "test_package: ok"
  exit 0
fi
remove() { dpkg -r igw >/dev/null 2>&1 || true; }
trap 'remove; igw_cleanup' EXIT
timeout 120 dpkg -i "$deb" >"$IGW_E2E_TMP/dpkg.log" 2>&1 \
  || fail "dpkg -i failed: $(tail -n 20 "$IGW_E2E_TMP/dpkg.log")"
dpkg -s igw | grep -q "^Status: install ok installed" || fail "dpkg -s igw: not installed"
[[ $(command -v igw) == /usr/bin/igw ]] || fail "igw on PATH is '$(command -v igw)', not /usr/bin/igw"
assert_contains "$(env -i PATH=/usr/bin:/bin igw version)" "igw $version" "igw version from PATH"
ok "installed: igw version runs from PATH"

# Where the shells and man look, asked from them.
bash_file=$(bash --norc -c 'source /usr/share/bash-completion/bash_completion
  __load_completion igw && complete -p igw')
assert_contains "$bash_file" "-F _igw" "bash-completion loads igw's completion"
zsh_file=$(zsh -f -c 'print -rl -- $^fpath/_igw(N)')
assert_eq /usr/share/zsh/vendor-completions/_igw "$zsh_file" "_igw on zsh's default fpath"
home=$IGW_E2E_TMP/home  # a user without fish configuration: only the system's folders
fish_file=$(env HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
  fish -c 'complete -C "igw ge"' | cut -f1)
assert_eq gen "$fish_file" "fish completes igw from its vendor folder"
if grep -qs '^path-exclude=/usr/share/man' /etc/dpkg/dpkg.cfg.d/*; then
  echo "skip: dpkg here excludes /usr/share/man (a slim image): man -w igw not checked"
else
  man_file=$(man -w igw)
  assert_eq /usr/share/man/man1/igw.1 "$man_file" "man -w igw"
fi
ok "bash-completion, zsh, fish and man find the installed files"

timeout 120 dpkg -r igw >"$IGW_E2E_TMP/dpkg.log" 2>&1 \
  || fail "dpkg -r failed: $(tail -n 20 "$IGW_E2E_TMP/dpkg.log")"
for path in $contents; do
  [[ $path == */ ]] && continue  # folders, which other packages share
  [[ ! -e $path ]] || fail "$path is still there after dpkg -r"
done
ok "dpkg -r igw removes every file"
echo "test_package: ok"
