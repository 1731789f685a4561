#include "cli/model/command.hpp"

#include <CLI/CLI.hpp>

namespace igw::cli::model {
namespace {

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto end = text.find(sep, start);
    out.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

bool is_set(std::string_view part) {
  return part.size() >= 2 && part.front() == '{' && part.back() == '}';
}

// Untyped text named like a path ("files", "--rules-file", "--output-dir") is one.
Value by_name(std::string_view name) {
  auto cut = name.find_last_of("-_");
  auto word = cut == std::string_view::npos ? name : name.substr(cut + 1);
  if (word == "file" || word == "files" || word == "path" || word == "paths") return Value::file;
  if (word == "dir" || word == "dirs" || word == "directory") return Value::directory;
  return Value::text;
}

// CLI11 writes an option's type as the type name followed by each validator's description, joined by ':'
// ("TEXT:{table,json}", "TEXT:FILE", "INT:INT in [1 - 256]"); IsMember's description is its set.
void read_value(const CLI::Option& opt, const Hints& hints, Option& out) {
  if (opt.get_items_expected_max() == 0) return;  // a flag
  auto parts = split(opt.get_type_name(), ':');
  std::erase_if(parts, [](const std::string& p) { return p.empty(); });
  out.type = parts.empty() ? std::string{"TEXT"} : parts.back();
  out.value = Value::text;
  for (const auto& part : parts) {
    if (is_set(part)) {
      out.value = Value::choice;
      out.choices = split(std::string_view{part}.substr(1, part.size() - 2), ',');
      out.type = part;
      return;
    }
  }
  for (const auto& name : out.names) {
    if (auto hint = hints.find(name); hint != hints.end()) {
      out.value = Value::choice;
      out.choices = hint->second;
      return;
    }
  }
  for (const auto& part : parts) {
    if (part == "DIR") out.value = Value::directory;
    if (part == "FILE" || part == "PATH(existing)" || part == "PATH(non-existing)" || part == "path")
      out.value = Value::file;
  }
  if (out.value == Value::text && parts.size() <= 1 && out.type == "TEXT") out.value = by_name(out.name());
}

Option read_option(const CLI::Option& opt, const Hints& hints) {
  Option out;
  if (opt.nonpositional()) {
    for (const auto& s : opt.get_snames()) out.names.push_back("-" + s);
    for (const auto& l : opt.get_lnames()) out.names.push_back("--" + l);
  } else {
    out.names.push_back(opt.get_name(true));
  }
  out.description = opt.get_description();
  out.default_value = opt.get_default_str();
  out.group = opt.get_group();
  out.required = opt.get_required();
  read_value(opt, hints, out);
  out.repeatable = out.takes_value() && opt.get_expected_max() > 1;
  return out;
}

Command read_command(const CLI::App& app, std::vector<std::string> path, const Hints& hints) {
  Command out;
  out.path = std::move(path);
  out.description = app.get_description();
  // CLI11 copies a parent's footer into each new subcommand: keep only a footer of its own.
  const CLI::App* parent = app.get_parent();
  if (!parent || app.get_footer() != parent->get_footer()) out.footer = app.get_footer();
  out.subcommand_required = app.get_require_subcommand_min() > 0;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    (opt->nonpositional() ? out.options : out.positionals).push_back(read_option(*opt, hints));
  }
  auto visible = [](const CLI::App* sub) {
    return !sub->get_name().empty() && !sub->get_group().empty() && !sub->get_disabled();
  };
  for (const CLI::App* sub : app.get_subcommands(visible)) {
    auto sub_path = out.path;
    sub_path.push_back(sub->get_name());
    out.subcommands.push_back(read_command(*sub, std::move(sub_path), hints));
  }
  return out;
}

}  // namespace

std::string Command::full_name() const {
  std::string out;
  for (const auto& p : path) out += (out.empty() ? "" : " ") + p;
  return out;
}

Command read(const CLI::App& root, const Hints& hints) {
  return read_command(root, {root.get_name()}, hints);
}

void for_each(const Command& root, const std::function<void(const Command&)>& visit) {
  visit(root);
  for (const auto& sub : root.subcommands) for_each(sub, visit);
}

std::string summary(std::string_view description, std::size_t width) {
  constexpr std::size_t kShortest = 12;  // "Query: ..." keeps going; "Print the metric catalog: ..." stops
  std::string_view s = description.substr(0, description.find('\n'));
  std::size_t cut = s.size();
  for (std::string_view brk : {". ", "; ", ": "}) {
    for (auto at = s.find(brk); at != std::string_view::npos; at = s.find(brk, at + 1)) {
      bool abbreviation = s.substr(0, at).ends_with("e.g") || s.substr(0, at).ends_with("i.e");
      if (at >= kShortest && !abbreviation) {
        cut = std::min(cut, at);
        break;
      }
    }
  }
  s = s.substr(0, cut);
  if (s.ends_with('.')) s.remove_suffix(1);
  if (s.size() <= width) return std::string{s};
  auto space = s.rfind(' ', width - 3);
  return std::string{s.substr(0, space == std::string_view::npos ? width - 3 : space)} + "...";
}

std::string generated_note(std::string_view command) {
  return "Generated by `" + std::string{command} +
         "` from igw's command-line definition; do not edit (scripts/update-completions regenerates it).";
}

}  // namespace igw::cli::model
