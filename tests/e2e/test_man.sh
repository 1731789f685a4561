#!/usr/bin/env bash
# man/igw.1: groff renders it without a warning, man(1) shows it, and it lists what the binary has: every
# command path (walked through `igw ... --help`), every option of each (from its --help; setting flags under
# ENVIRONMENT) and every variable of the config catalog (`igw config list -o json`).
source "$(dirname "$0")/lib.sh"
page=${IGW_SOURCE_DIR:?IGW_SOURCE_DIR must point at the source tree}/man/igw.1
command -v groff >/dev/null || fail "groff is not installed (scripts/bootstrap --test)"
command -v man >/dev/null || fail "man-db is not installed (scripts/bootstrap --test)"
[[ -f $page ]] || fail "no $page (scripts/update-completions writes it)"

warnings=$(groff -ww -man -Tutf8 "$page" 2>&1 >/dev/null)
[[ -z $warnings ]] || fail "groff -ww warns about man/igw.1: $warnings"
ok "groff -ww -man renders it without a warning"

text=$(MANPAGER=cat MANWIDTH=100 timeout 20 man -l "$page" 2>"$IGW_E2E_TMP/man.err") \
  || fail "man -l failed: $(cat "$IGW_E2E_TMP/man.err")"
[[ ! -s $IGW_E2E_TMP/man.err ]] || fail "man -l printed: $(cat "$IGW_E2E_TMP/man.err")"
for section in NAME SYNOPSIS DESCRIPTION COMMANDS ENVIRONMENT "EXIT STATUS"; do
  grep -qx "$section" <<<"$text" || fail "no $section section"
done
ok "man -l renders NAME, SYNOPSIS, DESCRIPTION, COMMANDS, ENVIRONMENT, EXIT STATUS"

# Every command path, from the Subcommands: lists of --help, with each option --help shows.
settings=$("$IGW_BIN" config list -o json)
setting_flags=$(jq -r '.[] | select(.flag != "") | .flag' <<<"$settings")
subcommands() {  # the names under "Subcommands:" in `igw PATH --help`
  "$IGW_BIN" "$@" --help | awk '/^Subcommands:/ {on=1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on=0}'
}
paths=0
walk() {
  local sub option options
  grep -qxF "   igw $*" <<<"$text" || fail "the page has no section for 'igw $*'"
  options=$("$IGW_BIN" "$@" --help | grep -oE -- '^ +(-[a-zA-Z],)?--[a-z0-9-]+' | grep -oE -- '--[a-z0-9-]+$')
  for option in $options; do
    [[ $option == --help ]] && continue
    grep -qxF -- "$option" <<<"$setting_flags" && continue  # documented under ENVIRONMENT
    grep -qF -- "$option" <<<"$text" || fail "igw $* --help shows $option; the page does not"
  done
  paths=$((paths + 1))
  for sub in $(subcommands "$@"); do walk "$@" "$sub"; done
}
for top in $(subcommands); do walk "$top"; done
((paths > 20)) || fail "only $paths command paths found in --help"
ok "all $paths command paths of --help, and their options, are in the page"

flat=$(tr '\n' ' ' <<<"$text" | tr -s ' ')
count=0
for env in $(jq -r '.[].env' <<<"$settings"); do
  [[ $flat == *" $env "* ]] || fail "ENVIRONMENT lacks $env"
  count=$((count + 1))
done
for flag in $setting_flags; do
  [[ $flat == *"Flag: $flag."* ]] || fail "ENVIRONMENT lacks the flag $flag"
done
ok "all $count config variables (and their flags) are in ENVIRONMENT"
for code in 0 1 2 3; do
  awk '/^EXIT STATUS/ {on=1} on' <<<"$text" | grep -qE "^ +$code( |$)" || fail "EXIT STATUS lacks $code"
done
ok "EXIT STATUS lists 0, 1, 2, 3"
echo "test_man: ok"
