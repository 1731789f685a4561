#include "cli/setting_flags.hpp"

#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

namespace igw::cli {
namespace {

// A choice setting shows its values as a set, like IsMember does ({production,development}); the config
// loader still validates them (one error format for env and flags), and completions read them from here.
std::string type_name(const config::Setting& s) {
  if (s.choices.empty()) return std::string{config::to_string(s.type)};
  std::string set = "{";
  for (const auto& c : s.choices) set += (set.size() > 1 ? "," : "") + c;
  return set + "}";
}

}  // namespace

std::shared_ptr<config::FlagValues> add_setting_flags(CLI::App& cmd) {
  auto flags = std::make_shared<config::FlagValues>();
  for (const auto& s : config::settings()) {
    if (s.flag.empty()) continue;
    std::string env = s.env;
    cmd.add_option_function<std::string>(
           s.flag, [flags, env](const std::string& v) { (*flags)[env] = v; }, s.description + " [" + s.env + "]")
        ->group("Settings (flags override the environment)")
        ->type_name(type_name(s));
  }
  return flags;
}

config::Config load_config_or_exit(const config::FlagValues& flags) {
  auto cfg = config::Config::load(config::process_environment(), flags);
  if (!cfg) {
    std::cerr << "igw: " << cfg.error().message() << '\n';
    throw Exit{kExitUsage};
  }
  return std::move(*cfg);
}

}  // namespace igw::cli
