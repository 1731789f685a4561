#!/usr/bin/env bash
# `igw completion bash|zsh|fish` in the real shells: bash with bash-completion (the completion function called
# as readline would), zsh -f with compinit (typed into a pseudo-terminal by zsh_complete.zsh) and fish
# (`complete -C`). Subcommands, options, choice values, provider ids and files complete the same in all three;
# and the generated copies in completions/ and man/ are what the binary writes now.
source "$(dirname "$0")/lib.sh"
src=${IGW_SOURCE_DIR:?IGW_SOURCE_DIR must point at the source tree}
e2e=$(cd "$(dirname "$0")" && pwd)
bash_completion=/usr/share/bash-completion/bash_completion
[[ -f $bash_completion ]] || fail "bash-completion is not installed (scripts/bootstrap --test)"
command -v zsh >/dev/null || fail "zsh is not installed (scripts/bootstrap --test)"
command -v fish >/dev/null || fail "fish is not installed (scripts/bootstrap --test)"

# The generated files are in sync with the binary.
gen=$IGW_E2E_TMP/generated
mkdir -p "$gen"
"$IGW_BIN" completion bash >"$gen/igw.bash"
"$IGW_BIN" completion zsh >"$gen/_igw"
"$IGW_BIN" completion fish >"$gen/igw.fish"
"$IGW_BIN" completion man >"$gen/igw.1"
for f in completions/igw.bash completions/_igw completions/igw.fish man/igw.1; do
  diff -u "$src/$f" "$gen/$(basename "$f")" >&2 \
    || fail "$f differs from what igw writes now: regenerate it with scripts/update-completions (build first)"
done
ok "completions/ and man/ match the binary"

# Candidates at the end of a command line, sorted, space-separated, trailing / of folders dropped.
# They run in $work, which holds a file and a folder.
work=$IGW_E2E_TMP/work
mkdir -p "$work/out.d"
: >"$work/app.log"
normalize() { sed 's:/$::' | sort -u | tr '\n' ' ' | sed 's/ $//'; }

complete_bash() {
  (cd "$work" && timeout 10 bash --norc --noprofile -c '
    source "$1"
    source "$2"
    COMP_LINE=$3 COMP_POINT=${#3}
    read -ra COMP_WORDS <<<"$3"
    [[ $3 == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _igw igw "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}"' _ "$bash_completion" "$gen/igw.bash" "$1") | normalize
}
complete_zsh() { (cd "$work" && timeout 20 zsh -f "$e2e/zsh_complete.zsh" "$gen" "$1") | normalize; }
complete_fish() {
  (cd "$work" && timeout 10 fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$gen/igw.fish" "$1") \
    | cut -f1 | normalize
}

check() {  # check LINE EXPECTED [SHELLS]
  local shell got
  for shell in ${3:-bash zsh fish}; do
    got=$("complete_$shell" "$1") || fail "$shell: completing '$1' failed"
    [[ $got == "$2" ]] || fail "$shell: '$1<TAB>' gave '$got', expected '$2'"
  done
  ok "'$1<TAB>' -> $2"
}

# Expected values come from --help and the catalogs where they can.
k8s_o=$("$IGW_BIN" gen k8s --help | grep -oE -- '--o[a-z0-9-]*' | sort -u | tr '\n' ' ' | sed 's/ $//')
[[ -n $k8s_o ]] || fail "igw gen k8s --help shows no --o* option"
environments=$("$IGW_BIN" config list -o json | jq -r '.[] | select(.env == "ENVIRONMENT") | .choices[]' \
  | sort | tr '\n' ' ')

check "igw ge" "gen"
check "igw gen k8s --o" "$k8s_o"
check "igw metrics list -o " "json markdown table"
if "$IGW_BIN" metrics top --help >/dev/null 2>&1; then
  check "igw metrics top -o " "json table"
  check "igw metrics top --by " "model provider tool"
fi
check "igw logs tail --level " "debug error info warn"
check "igw logs tail --provider open" "openai"
check "igw serve --environment " "${environments% }"
check "igw config show -o j" "json"
check "igw completion " "bash fish zsh"
check "igw logs tail -f ap" "app.log"
check "igw gen k8s --output-dir o" "out.d"
check "igw version --output=j" "json" bash
check "igw version --output=j" "--output=json" fish
echo "test_completion: ok"
