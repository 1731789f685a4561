#include "cli/model/man_page.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

namespace igw::cli::model {
namespace {

std::string bold(std::string_view s) {
  return "\\fB" + roff_escape(s) + "\\fR";
}
std::string italic(std::string_view s) {
  return "\\fI" + roff_escape(s) + "\\fR";
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return std::string{s.substr(b, s.find_last_not_of(" \t") - b + 1)};
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  while (!out.empty() && trim(out.back()).empty()) out.pop_back();
  return out;
}

// Text as filled paragraphs; runs of indented lines (examples) stay as typed.
std::string blocks(std::string_view text) {
  std::string out;
  bool in_example = false, in_prose = false;
  for (const auto& line : lines_of(text)) {
    bool example = line.starts_with(' ') || line.starts_with('\t');
    if (trim(line).empty()) {
      if (in_example) out += ".fi\n.RE\n";
      in_example = in_prose = false;
      continue;
    }
    if (example && !in_example) out += (in_prose ? "" : ".PP\n") + std::string{".RS 4\n.nf\n"};
    if (!example && in_example) out += ".fi\n.RE\n";
    if (!example && (!in_prose || line.ends_with(':'))) out += ".PP\n";  // "Example:" starts a paragraph
    if (example) {
      out += roff_escape(line.substr(std::min(line.find_first_not_of(" \t"), std::size_t{2}))) + "\n";
    } else {
      out += roff_escape(trim(line)) + "\n";
    }
    in_example = example;
    in_prose = !example;
  }
  if (in_example) out += ".fi\n.RE\n";
  return out;
}

// A sentence ends with a period (descriptions usually do not).
std::string sentence(std::string_view s) {
  std::string out = trim(s);
  if (!out.empty() && out.back() != '.') out += '.';
  return out;
}

std::string option_item(const Option& o, bool positional) {
  std::string tag;
  if (positional) {
    tag = italic(o.name()) + (o.repeatable ? " ..." : "");
  } else {
    for (std::size_t i = 0; i < o.names.size(); ++i) tag += (i ? ", " : "") + bold(o.names[i]);
    if (o.takes_value()) tag += " " + italic(o.type) + (o.repeatable ? " ..." : "");
  }
  std::string text = roff_escape(sentence(o.description));
  if (!o.default_value.empty()) text += " Default: " + bold(o.default_value) + ".";
  if (o.required) text += " Required.";
  return ".TP\n" + tag + "\n" + text + "\n";
}

bool is_help(const Option& o) {
  return o.name() == "--help";
}

std::set<std::string> setting_flags(const ManPageInfo& info) {
  std::set<std::string> out;
  for (const auto& v : info.environment)
    if (!v.flag.empty()) out.insert(v.flag);
  return out;
}

// True when the command takes every setting as a flag: the page then says so instead of listing them.
bool takes_all_settings(const Command& c, const std::set<std::string>& flags) {
  if (flags.empty()) return false;
  std::size_t n = 0;
  for (const auto& o : c.options) n += flags.contains(o.name());
  return n == flags.size();
}

std::string synopsis(const Command& root) {
  std::string out = ".SH SYNOPSIS\n.nf\n";
  for_each(root, [&](const Command& c) {
    if (!c.subcommands.empty()) return;
    out += bold(c.full_name());
    if (std::any_of(c.options.begin(), c.options.end(), [](const Option& o) { return !is_help(o); }))
      out += " [" + italic("options") + "]";
    for (const auto& p : c.positionals) {
      std::string arg = italic(p.name()) + (p.repeatable ? " ..." : "");
      out += " " + (p.required ? arg : "[" + arg + "]");
    }
    out += "\n";
  });
  return out + ".fi\n";
}

std::string settings_commands(const Command& root, const std::set<std::string>& flags) {
  std::vector<std::string> names;
  for_each(root, [&](const Command& c) {
    if (takes_all_settings(c, flags)) names.push_back(bold(c.full_name()));
  });
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  return out.empty() ? out : out + (names.size() == 1 ? " also takes" : " also take");
}

std::string description(const Command& root, const std::set<std::string>& flags) {
  std::string out = ".SH DESCRIPTION\n" + blocks(root.description) + ".PP\nCommands:\n";
  for (const auto& c : root.subcommands)
    out += ".TP\n" + bold(c.path.back()) + "\n" + roff_escape(c.description) + "\n";
  out += ".PP\nEvery command takes " + bold("-h") + ", " + bold("--help") +
         ", which prints its options as COMMANDS below lists them.\n";
  if (auto cmds = settings_commands(root, flags); !cmds.empty())
    out += "Settings come from the environment (see ENVIRONMENT); " + cmds +
           " each non-secret one as a flag, which wins over the environment.\n";
  return out;
}

// The options under the headings --help shows: Positionals, then each group in first-seen order.
std::string options_section(const Command& c, const std::set<std::string>& flags,
                            const std::string& first_flag) {
  bool all_settings = takes_all_settings(c, flags);
  std::string out;
  if (!c.positionals.empty()) out += ".PP\nPositionals:\n";
  for (const auto& p : c.positionals) out += option_item(p, true);
  std::vector<std::string> groups;
  for (const auto& o : c.options)
    if (!is_help(o) && std::find(groups.begin(), groups.end(), o.group) == groups.end())
      groups.push_back(o.group);
  for (const auto& group : groups) {
    out += ".PP\n" + roff_escape(group) + ":\n";
    bool settings_said = false;
    for (const auto& o : c.options) {
      if (o.group != group || is_help(o)) continue;
      if (!all_settings || !flags.contains(o.name())) {
        out += option_item(o, false);
      } else if (!settings_said) {
        settings_said = true;
        out += ".TP\n" + bold("--") + italic("setting") + " " + italic("value") +
               "\nEvery variable of ENVIRONMENT that has a flag, e.g. " + bold(first_flag) +
               "; a flag wins over the environment.\n";
      }
    }
  }
  return out;
}

std::string command_section(const Command& c, const std::set<std::string>& flags,
                            const std::string& first_flag) {
  std::string out = ".SS \"" + roff_escape(c.full_name()) + "\"\n" + blocks(c.description);
  if (!c.subcommands.empty()) {
    std::string subs;
    for (const auto& s : c.subcommands) subs += (subs.empty() ? "" : ", ") + bold(s.path.back());
    out += ".PP\nSubcommands: " + subs + ".\n";
  }
  out += options_section(c, flags, first_flag);
  if (!c.footer.empty()) out += blocks(c.footer);
  return out;
}

std::string environment(const ManPageInfo& info) {
  std::string out =
      ".SH ENVIRONMENT\n.PP\nEvery setting igw reads, with its type and default. A setting with a flag can "
      "also be "
      "given on the command line; secrets have no flag and are masked when shown.\n";
  std::string group;
  for (const auto& v : info.environment) {
    if (v.group != group) {
      group = v.group;
      out += ".SS \"" + roff_escape(group) + "\"\n";
    }
    out += ".TP\n" + bold(v.name) + "\n" + roff_escape(sentence(v.description)) + "\n.br\n";
    std::string facts = "Type: " + roff_escape(v.type) + ".";
    facts +=
        v.default_value.empty() ? std::string{" No default."} : " Default: " + bold(v.default_value) + ".";
    if (!v.choices.empty()) {
      facts += " One of:";
      for (std::size_t i = 0; i < v.choices.size(); ++i) facts += (i ? ", " : " ") + bold(v.choices[i]);
      facts += ".";
    }
    if (!v.flag.empty()) facts += " Flag: " + bold(v.flag) + ".";
    if (v.secret) facts += " Secret: no flag, masked when shown.";
    if (!v.aliases.empty()) {
      facts += " Also read as:";
      for (std::size_t i = 0; i < v.aliases.size(); ++i) facts += (i ? ", " : " ") + bold(v.aliases[i]);
      facts += ".";
    }
    if (v.planned) facts += " Planned: not implemented yet; any value but the default stops start-up.";
    out += facts + "\n";
  }
  return out;
}

std::string exit_status(const ManPageInfo& info) {
  std::string out = ".SH EXIT STATUS\n";
  for (const auto& e : info.exit_statuses)
    out += ".TP\n" + bold(std::to_string(e.code)) + "\n" + roff_escape(sentence(e.meaning)) + "\n";
  return out;
}

std::string see_also(const ManPageInfo& info) {
  if (info.see_also.empty()) return {};
  std::string out = ".SH SEE ALSO\n";
  for (std::size_t i = 0; i < info.see_also.size(); ++i) {
    const auto& ref = info.see_also[i];
    auto paren = ref.find('(');
    out += ".BR " + roff_escape(ref.substr(0, paren)) + " " + roff_escape(ref.substr(paren)) +
           (i + 1 < info.see_also.size() ? "," : "") + "\n";
  }
  return out;
}

// "igw: an OpenAI-compatible gateway,\nand ..." -> "an OpenAI-compatible gateway, and ..."
std::string name_line(const Command& root) {
  std::string d;
  for (const auto& line : lines_of(root.description)) d += (d.empty() ? "" : " ") + trim(line);
  if (d.starts_with(root.full_name() + ": ")) d.erase(0, root.full_name().size() + 2);
  if (d.ends_with('.')) d.pop_back();
  return ".SH NAME\n" + roff_escape(root.full_name()) + " \\- " + roff_escape(d) + "\n";
}

}  // namespace

std::string roff_escape(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (line_start && c == '.') out += "\\&";
    line_start = c == '\n';
    if (c < 0x80) {
      switch (c) {
        case '\\':
          out += "\\e";
          break;
        case '-':
          out += "\\-";
          break;
        case ',':  // "a,b,c" and URLs may break after a comma or slash: long words must not overflow
        case '/':
          out += static_cast<char>(c);
          if (i + 1 < text.size() && text[i + 1] != ' ' && text[i + 1] != '\n') out += "\\:";
          break;
        case '\'':
          out += "\\(aq";
          break;
        case '`':
          out += "\\(ga";
          break;
        default:
          out += static_cast<char>(c);
      }
      continue;
    }
    // UTF-8: \[uXXXX]
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    unsigned code = extra == 3 ? c & 0x07u : extra == 2 ? c & 0x0Fu : extra == 1 ? c & 0x1Fu : 0xFFFDu;
    for (int k = 0; k < extra && i + 1 < text.size(); ++k) code = (code << 6) | (text[++i] & 0x3Fu);
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\[u%04X]", code);
    out += buf;
  }
  return out;
}

std::string man_page(const Command& root, const ManPageInfo& info) {
  auto flags = setting_flags(info);
  std::string first_flag;  // the example of "--setting value", in catalog order
  for (const auto& v : info.environment)
    if (first_flag.empty()) first_flag = v.flag;
  std::string title;
  for (char c : root.full_name()) title += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string out = ".\\\" " + generated_note(root.full_name() + " completion man") + "\n";
  out += ".TH " + title + " 1 \"\" \"" + roff_escape(info.version) + "\" \"User Commands\"\n";
  out += ".nh\n.ad l\n";  // no hyphenation, ragged right: names and options stay whole
  out += name_line(root);
  out += synopsis(root);
  out += description(root, flags);
  out += ".SH COMMANDS\n";
  for_each(root, [&](const Command& c) {
    if (c.path.size() > 1) out += command_section(c, flags, first_flag);
  });
  out += environment(info);
  out += exit_status(info);
  out += see_also(info);
  return out;
}

}  // namespace igw::cli::model
