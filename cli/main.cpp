// igw: one binary, many commands. This file only lists the command groups and maps errors to exit codes.
#include <cstdio>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

namespace {

using Register = void (*)(CLI::App&);

// The order here is the order of `igw --help`.
constexpr Register kCommandGroups[] = {
    &igw::cli::add_serve,
    &igw::cli::add_mock,
    &igw::cli::add_demo,
    &igw::cli::add_metrics,
    &igw::cli::add_gen,
    &igw::cli::add_logs,
    &igw::cli::add_config,
    &igw::cli::add_version,
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"igw: an OpenAI-compatible LLM inference gateway with first-class observability,\n"
               "and the operator toolkit around it.",
               "igw"};
  app.require_subcommand(1);
  app.footer("Exit codes: 0 ok, 1 runtime failure, 2 usage or config error, 3 a check found problems.");
  for (auto add : kCommandGroups) add(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? igw::cli::kExitOk : igw::cli::kExitUsage;
  } catch (const igw::cli::Exit& e) {
    std::fflush(stdout);
    return e.code;
  } catch (const std::exception& e) {
    std::cerr << "igw: " << e.what() << '\n';
    return igw::cli::kExitFailure;
  }
  std::fflush(stdout);
  return igw::cli::kExitOk;
}
