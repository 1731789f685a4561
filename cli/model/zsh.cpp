// The zsh completion function: one _arguments function per command, named after its path
// (_igw__gen__k8s), that hands the words after a subcommand to the subcommand's function.
#include "cli/model/completion.hpp"

namespace igw::cli::model {
namespace {

// Inside '...' in zsh.
std::string quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

// An _arguments description, [...]: brackets and backslashes escaped.
std::string bracketed(std::string_view s) {
  std::string out = "[";
  for (char c : s) {
    if (c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out + "]";
}

std::string function_name(const Command& c) {
  std::string out = "_";
  for (std::size_t i = 0; i < c.path.size(); ++i) {
    out += (i ? "__" : "") + c.path[i];
  }
  for (char& ch : out)
    if (ch == '-') ch = '_';
  return out;
}

// The :message:action part of a spec.
std::string action(const Option& o) {
  std::string message = o.name();
  while (message.starts_with('-')) message.erase(0, 1);
  switch (o.value) {
    case Value::choice: {
      std::string words;
      for (const auto& c : o.choices) {
        for (char ch : c) {
          if (ch == ' ' || ch == '(' || ch == ')' || ch == '\\' || ch == ':') words += '\\';
          words += ch;
        }
        words += ' ';
      }
      if (!words.empty()) words.pop_back();
      return ":" + message + ":(" + words + ")";
    }
    case Value::file:
      return ":" + message + ":_files";
    case Value::directory:
      return ":" + message + ":_files -/";
    case Value::text:
      return ":" + message + ": ";
    case Value::none:
      return {};
  }
  return {};
}

// One _arguments spec: '(-o --output)'{-o,--output}'[Output format]:output:(yaml json)'.
std::string option_spec(const Option& o) {
  bool help = o.name() == "--help";
  std::string exclusions;
  if (help) {
    exclusions = "(- *)";
  } else if (!o.repeatable && o.names.size() > 1) {
    exclusions = "(";
    for (const auto& n : o.names) exclusions += (exclusions.size() > 1 ? " " : "") + n;
    exclusions += ")";
  }
  std::string names;
  if (o.names.size() == 1) {
    names = (o.repeatable ? "*" : "") + o.names[0];
  } else {
    names = "{";
    for (std::size_t i = 0; i < o.names.size(); ++i)
      names += std::string{i ? "," : ""} + (o.repeatable ? "\\*" : "") + o.names[i];
    names += "}";
  }
  std::string tail = bracketed(summary(o.description)) + action(o);
  if (o.names.size() == 1) return quoted(exclusions + names + tail);
  return (exclusions.empty() ? "" : quoted(exclusions)) + names + quoted(tail);
}

std::string positional_spec(const Option& p, std::size_t index) {
  std::string pos = p.repeatable ? "*" : std::to_string(index + 1);
  std::string act = action(p);
  if (act.empty()) act = ":" + p.name() + ": ";
  return quoted(pos + act);
}

std::string command_function(const Command& c) {
  std::string fn = function_name(c);
  // The root is the autoloaded function itself: it must always be (re)defined.
  std::string out = c.path.size() > 1 ? "(( $+functions[" + fn + "] )) ||\n" : "";
  out += fn + "() {\n";
  bool has_subcommands = !c.subcommands.empty();
  if (has_subcommands)
    out += "  local curcontext=$curcontext state state_descr line ret=1\n  local -A opt_args\n";
  out += std::string{"  _arguments -s -S"} + (has_subcommands ? " -C" : "") + " \\\n";
  for (const auto& o : c.options) out += "    " + option_spec(o) + " \\\n";
  for (std::size_t i = 0; i < c.positionals.size(); ++i)
    out += "    " + positional_spec(c.positionals[i], i) + " \\\n";
  if (!has_subcommands) {
    out.resize(out.size() - 3);  // the last " \\\n"
    return out + "\n}\n\n";
  }
  out += "    ': :->command' \\\n    '*:: :->argument' && ret=0\n";
  out += "  case $state in\n    command)\n      local -a commands=(\n";
  for (const auto& s : c.subcommands) {
    std::string name = s.path.back();
    out += "        " + quoted(name + ":" + summary(s.description)) + "\n";
  }
  out += "      )\n      _describe -t commands " + quoted(c.full_name() + " command") +
         " commands && ret=0\n      ;;\n";
  std::string context;
  for (const auto& p : c.path) context += p + "-";
  out += "    argument)\n      curcontext=${curcontext%:*:*}:" + context + "$words[1]:\n";
  out += "      case $words[1] in\n";
  for (const auto& s : c.subcommands)
    out += "        " + s.path.back() + ") " + function_name(s) + " && ret=0 ;;\n";
  out += "      esac\n      ;;\n  esac\n  return ret\n}\n\n";
  return out;
}

}  // namespace

std::string zsh_script(const Command& root) {
  std::string out =
      "#compdef " + root.full_name() + "\n# zsh completion for " + root.full_name() + ".\n# " +
      generated_note(root.full_name() + " completion zsh") +
      "\n# Install it as _igw in a folder of $fpath (packages do), or `source <(igw completion zsh)` "
      "after compinit.\n\n";
  for_each(root, [&](const Command& c) { out += command_function(c); });
  std::string main = function_name(root);
  // Autoloaded from $fpath: complete now; sourced: register.
  out += "if [[ $funcstack[1] == " + main + " ]]; then\n  " + main + " \"$@\"\nelse\n  compdef " + main +
         " " + root.full_name() + "\nfi\n";
  return out;
}

}  // namespace igw::cli::model
