// The fish completions: `complete` lines conditioned on the command path before the cursor, which
// __igw_path computes from two generated lists (the subcommand paths, the options that take a value).
#include "cli/model/completion.hpp"

namespace igw::cli::model {
namespace {

// Inside '...' in fish: only \ and ' are special.
std::string quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string condition(const Command& c) {
  return "-n " + quoted("__igw_at \"" + c.full_name() + "\"");
}

std::string option_line(const Command& c, const Option& o) {
  std::string out = "complete -c igw " + condition(c);
  for (const auto& n : o.names) {
    if (n.starts_with("--"))
      out += " -l " + n.substr(2);
    else if (n.size() == 2)
      out += " -s " + n.substr(1);
    else
      out += " -o " + n.substr(1);
  }
  switch (o.value) {
    case Value::choice: {
      std::string words;
      for (const auto& w : o.choices) words += (words.empty() ? "" : " ") + w;
      out += " -x -a " + quoted(words);
      break;
    }
    case Value::file:
      out += " -r -F";
      break;
    case Value::directory:
      out += " -x -a '(__fish_complete_directories)'";
      break;
    case Value::text:
      out += " -x";
      break;
    case Value::none:
      break;
  }
  return out + " -d " + quoted(summary(o.description)) + "\n";
}

// What a plain word completes to: subcommands, a positional's values, or nothing (no files).
std::string arguments_lines(const Command& c) {
  std::string out;
  for (const auto& s : c.subcommands)
    out += "complete -c igw " + condition(c) + " -f -a " + quoted(s.path.back()) + " -d " +
           quoted(summary(s.description)) + "\n";
  if (!c.subcommands.empty()) return out;
  const Option* pos = c.positionals.empty() ? nullptr : &c.positionals.front();
  if (pos && pos->value == Value::choice) {
    std::string words;
    for (const auto& w : pos->choices) words += (words.empty() ? "" : " ") + w;
    out += "complete -c igw " + condition(c) + " -f -a " + quoted(words) + "\n";
  } else if (pos && pos->value == Value::directory) {
    out += "complete -c igw " + condition(c) + " -f -a '(__fish_complete_directories)'\n";
  } else if (!pos || pos->value != Value::file) {
    out += "complete -c igw " + condition(c) + " -f\n";
  }
  return out;
}

constexpr std::string_view kWalker = R"(
# __igw_path: the command path before the cursor ("igw gen k8s"): subcommands descend, options skip
# their value.
function __igw_path
    set -l tokens (commandline -opc)
    set -l path igw
    set -l skip 0
    for word in $tokens[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $word
            case '-*=*'
            case '-*'
                contains -- "$path $word" $__igw_values; and set skip 1
            case '*'
                contains -- "$path $word" $__igw_commands; and set path "$path $word"
        end
    end
    echo $path
end

function __igw_at
    test (__igw_path) = "$argv[1]"
end

)";

}  // namespace

std::string fish_script(const Command& root) {
  std::string out =
      "# fish completion for " + root.full_name() + ".\n# " +
      generated_note(root.full_name() + " completion fish") +
      "\n# Try it with `igw completion fish | source`; packages install it where fish looks.\n\n";
  std::string commands, values;
  for_each(root, [&](const Command& c) {
    if (c.path.size() > 1) commands += " \\\n    " + quoted(c.full_name());
    for (const auto& o : c.options)
      if (o.takes_value())
        for (const auto& n : o.names) values += " \\\n    " + quoted(c.full_name() + " " + n);
  });
  out += "set -g __igw_commands" + commands + "\n";
  out += "set -g __igw_values" + values + "\n";
  out += kWalker;
  for_each(root, [&](const Command& c) {
    out += "# " + c.full_name() + "\n";
    out += arguments_lines(c);
    for (const auto& o : c.options) out += option_line(c, o);
    out += "\n";
  });
  out.pop_back();
  return out;
}

}  // namespace igw::cli::model
