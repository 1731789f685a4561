#!/usr/bin/env zsh
# zsh_complete.zsh FPATH_DIR LINE: the candidates zsh's completion system offers at the end of LINE, one a
# line, sorted; nothing when none. A real interactive `zsh -f` in a pseudo-terminal (zpty) loads the _igw in
# FPATH_DIR through compinit, types LINE and TAB; a compadd wrapper records what completion adds.
# Exits 1 when the completion does not finish within 10 s.
emulate -L zsh
zmodload zsh/zpty || { print -u2 "zsh_complete: no zsh/zpty module"; exit 1 }
dir=$1 line=$2
out=$(mktemp) || exit 1
trap 'zpty -d z 2>/dev/null; rm -f $out' EXIT
zpty z zsh -f -i
# The dump file (next to FPATH_DIR) makes every run after the first skip the scan of $fpath.
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -d ${(q)dir}/.zcompdump"
zpty -w z "unsetopt beep"
zpty -w z "__out=${(q)out}"
# Calls that only ask (-O, -A, -D: store matches in an array) pass through; the others are recorded.
zpty -w z 'compadd() { if (( ${@[(I)-[OAD]]} )); then builtin compadd "$@"; return; fi;'\
' local -a __hits; builtin compadd -O __hits "$@"; print -rl -- $__hits >>$__out; builtin compadd "$@"; }'
zpty -w z 'zstyle ":completion:*" list-prompt ""; zstyle ":completion:*" menu no; LISTMAX=10000'
zpty -w z 'comppostfuncs=(__igw_done); __igw_done() { print -r -- __IGW_DONE__ >>$__out; }'
zpty -w z 'print -r -- __IGW_READY__ >>$__out'
integer deadline=$(( SECONDS + 10 ))
until grep -q __IGW_READY__ $out 2>/dev/null; do
  (( SECONDS < deadline )) || { print -u2 "zsh_complete: zsh did not start"; exit 1 }
  sleep 0.05
done
zpty -n -w z "$line"$'\t'
until grep -q __IGW_DONE__ $out 2>/dev/null; do
  (( SECONDS < deadline )) || { print -u2 "zsh_complete: no completion for '$line' within 10 s"; exit 1 }
  sleep 0.05
done
grep -v -e __IGW_READY__ -e __IGW_DONE__ $out | sort -u
