// The bash completion script: one table of commands (_igw_node), one of values (_igw_value), one walker.
#include <utility>

#include "cli/model/completion.hpp"

namespace igw::cli::model {
namespace {

std::string quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// `cmds=... opts=... vals=... npos=N` for one command; npos < 0: -N positionals, the last one repeats.
std::string node_line(const Command& c) {
  std::vector<std::string> cmds, opts, vals;
  for (const auto& s : c.subcommands) cmds.push_back(s.path.back());
  for (const auto& o : c.options) {
    opts.insert(opts.end(), o.names.begin(), o.names.end());
    if (o.takes_value()) vals.insert(vals.end(), o.names.begin(), o.names.end());
  }
  long npos = static_cast<long>(c.positionals.size());
  if (!c.positionals.empty() && c.positionals.back().repeatable) npos = -npos;
  std::string out = "    " + quoted(c.full_name()) + ")";
  if (!cmds.empty()) out += " cmds=" + quoted(joined(cmds));
  if (!opts.empty()) out += " opts=" + quoted(joined(opts));
  if (!vals.empty()) out += " vals=" + quoted(joined(vals));
  if (npos != 0) out += " npos=" + std::to_string(npos);
  return out + " ;;\n";
}

// The shell code that completes one kind of value; empty when there is nothing to offer.
std::string completer(const Option& o) {
  switch (o.value) {
    case Value::choice:
      return "_igw_words " + quoted(joined(o.choices));
    case Value::file:
      return "_igw_files";
    case Value::directory:
      return "_igw_files -d";
    case Value::none:
    case Value::text:
      return {};
  }
  return {};
}

// Case arms of _igw_value: "PATH OPTION" patterns grouped by the code completing them, in first-seen order.
std::string value_arms(const Command& root) {
  std::vector<std::pair<std::string, std::vector<std::string>>> arms;
  auto add = [&](const std::string& code, const std::string& key) {
    if (code.empty()) return;
    for (auto& [c, keys] : arms) {
      if (c == code) return keys.push_back(key);
    }
    arms.push_back({code, {key}});
  };
  for_each(root, [&](const Command& c) {
    for (const auto& o : c.options)
      for (const auto& n : o.names) add(completer(o), c.full_name() + " " + n);
    for (std::size_t i = 0; i < c.positionals.size(); ++i)
      add(completer(c.positionals[i]), c.full_name() + " @" + std::to_string(i + 1));
  });
  std::string out;
  for (const auto& [code, keys] : arms) {
    out += "    ";
    for (std::size_t i = 0; i < keys.size(); ++i) out += (i ? " | " : "") + quoted(keys[i]);
    out += ") " + code + " ;;\n";
  }
  return out;
}

constexpr std::string_view kHelpers = R"(
_igw_words() { mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur"); }

# _igw_files [-d]: files (folders with -d), through bash-completion's _filedir when it is loaded.
_igw_files() {
  if declare -F _filedir >/dev/null; then
    _filedir "$@"
  else
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen "${1:--f}" -- "$cur")
  fi
}

_igw() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion -n = || return
  else
    words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
    cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  fi
  local path=igw cmds opts vals npos w i pos=0
  _igw_node "$path"
  # Walk the words before the cursor: subcommands descend, options skip their value.
  for ((i = 1; i < cword; i++)); do
    w=${words[i]}
    case $w in
      -*=*) ;;
      -*) [[ " $vals " == *" $w "* ]] && i=$((i + 1)) ;;
      *)
        if [[ " $cmds " == *" $w "* ]]; then
          path+=" $w"
          _igw_node "$path"
          pos=0
        else
          pos=$((pos + 1))
        fi
        ;;
    esac
  done
  if ((i > cword)); then # the word at the cursor is the value of the option before it
    _igw_value "$path" "$prev"
    return
  fi
  case $cur in
    -*=*)
      local option=${cur%%=*}
      cur=${cur#*=}
      _igw_value "$path" "$option"
      return
      ;;
    -*)
      _igw_words "$opts"
      return
      ;;
  esac
  if [[ -n $cmds ]]; then
    _igw_words "$cmds"
    return
  fi
  pos=$((pos + 1))
  if ((npos < 0 && pos > -npos)); then pos=$((-npos)); fi
  if ((pos <= npos || npos < 0)); then _igw_value "$path" "@$pos"; fi
}

complete -F _igw igw
)";

}  // namespace

std::string bash_script(const Command& root) {
  std::string out =
      "# bash completion for " + root.full_name() + ".\n# " +
      generated_note(root.full_name() + " completion bash") +
      "\n# Try it with `source <(igw completion bash)`; packages install it where bash-completion "
      "looks.\n\n";
  out +=
      "# _igw_node PATH: the subcommands (cmds), options (opts), options taking a value (vals) and "
      "positional\n"
      "# arguments (npos; negative when the last one repeats) of the command PATH.\n"
      "_igw_node() {\n  cmds='' opts='' vals='' npos=0\n  case $1 in\n";
  for_each(root, [&](const Command& c) { out += node_line(c); });
  out += "  esac\n}\n\n";
  out +=
      "# _igw_value PATH OPTION: completes the value of OPTION (@1, @2...: a positional argument).\n"
      "_igw_value() {\n  case \"$1 $2\" in\n";
  out += value_arms(root);
  out += "  esac\n}\n";
  out += kHelpers;
  return out;
}

}  // namespace igw::cli::model
