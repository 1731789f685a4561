// igw config list|show|check: the config catalog, the effective values and their origins, validation.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/setting_flags.hpp"
#include "config/settings.hpp"

namespace igw::cli {
namespace {

std::string describe(const config::Setting& s) {
  std::string d = s.description;
  if (!s.choices.empty()) d += " (" + join(s.choices, ", ") + ")";
  if (!s.aliases.empty()) d += "; aliases: " + join(s.aliases, ", ");
  if (s.secret) d += "; secret";
  return d;
}

void list_settings(const std::string& format) {
  if (format == "json") {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& s : config::settings()) {
      arr.push_back({{"env", s.env},
                     {"aliases", s.aliases},
                     {"flag", s.flag},
                     {"type", config::to_string(s.type)},
                     {"default", s.default_value},
                     {"description", s.description},
                     {"secret", s.secret},
                     {"group", s.group},
                     {"status", config::to_string(s.status)}});
      if (!s.choices.empty()) arr.back()["choices"] = s.choices;
    }
    std::cout << arr.dump(2) << '\n';
    return;
  }
  std::vector<Row> rows;
  bool markdown = format == "markdown";
  for (const auto& s : config::settings()) {
    std::string def = s.default_value;
    if (markdown) def = def.empty() ? "" : "`" + def + "`";
    rows.push_back({markdown ? "`" + s.env + "`" : s.env, def, std::string{config::to_string(s.type)},
                    std::string{config::to_string(s.status)}, describe(s)});
  }
  if (markdown)
    std::cout << render_markdown({"Variable", "Default", "Type", "Status", "Description"}, rows);
  else
    std::cout << render_table({"ENV", "DEFAULT", "TYPE", "STATUS", "DESCRIPTION"}, rows);
}

void show_settings(const config::Config& cfg, const std::string& format) {
  auto all = config::settings();
  if (format == "json") {
    auto arr = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < all.size(); ++i) {
      const auto& v = cfg.value(i);
      arr.push_back({{"env", all[i].env}, {"value", cfg.display(i)}, {"origin", config::to_string(v.origin)},
                     {"from", v.from}, {"secret", all[i].secret}});
    }
    std::cout << arr.dump(2) << '\n';
    return;
  }
  std::vector<Row> rows;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& v = cfg.value(i);
    std::string origin{config::to_string(v.origin)};
    if (v.origin != config::Origin::default_value && v.from != all[i].env) origin += " (" + v.from + ")";
    rows.push_back({all[i].env, cfg.display(i), origin});
  }
  std::cout << render_table({"ENV", "VALUE", "ORIGIN"}, rows);
}

}  // namespace

void add_config(CLI::App& app) {
  auto* group = app.add_subcommand("config", "The settings igw reads: list them, show effective values, validate");
  group->require_subcommand(1);

  auto* list = group->add_subcommand("list", "Every setting with its env name, default, type, status (implemented or planned) and description");
  auto list_format = std::make_shared<std::string>("table");
  list->add_option("-o,--output", *list_format, "Output format")->check(CLI::IsMember({"table", "json", "markdown"}));
  list->callback([list_format] { list_settings(*list_format); });

  auto* show = group->add_subcommand("show", "Effective values and where each came from (default, env, flag); "
                                             "secrets masked");
  auto show_format = std::make_shared<std::string>("table");
  show->add_option("-o,--output", *show_format, "Output format")->check(CLI::IsMember({"table", "json"}));
  auto show_flags = add_setting_flags(*show);
  show->callback([show_format, show_flags] { show_settings(load_config_or_exit(*show_flags), *show_format); });

  auto* check = group->add_subcommand("check", "Validate the environment (and flags) without starting; exit 2 on a "
                                               "bad value");
  auto check_flags = add_setting_flags(*check);
  check->callback([check_flags] {
    load_config_or_exit(*check_flags);
    std::cerr << "igw: configuration is valid\n";
  });
}

}  // namespace igw::cli
