// igw serve: the gateway. Every setting of the config catalog is a flag (flags override env); a bad
// value exits 2 with one line. Logs at info in production, debug in development.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/setting_flags.hpp"
#include "server/gateway.hpp"
#include "telemetry/log.hpp"

namespace igw::cli {
namespace {

namespace log = telemetry::log;

void run_serve(const config::FlagValues& flags) {
  auto cfg = load_config_or_exit(flags);
  bool development = cfg.text(config::Key::environment) == config::kDevelopment;
  log::init(development ? log::Level::debug : log::Level::info, log::Sink::stdout_async);
  auto result = server::run_gateway(cfg);
  if (!result) {
    log::error(log::logger::server, result.error());
    log::shutdown();
    std::cerr << "igw serve: " << result.error() << '\n';
    throw Exit{kExitFailure};
  }
  log::shutdown();
}

}  // namespace

void add_serve(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("serve", "Run the gateway (OpenAI-compatible API in front of LLM providers)");
  cmd->footer(
      "Settings come from the environment (see `igw config list`); each has a flag that overrides it.\n"
      "SIGTERM/SIGINT drain in-flight requests (up to --server-drain-timeout) and exit 0.");
  auto flags = add_setting_flags(*cmd);
  cmd->callback([flags] { run_serve(*flags); });
}

}  // namespace igw::cli
