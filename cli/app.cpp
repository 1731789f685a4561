#include "cli/app.hpp"

#include <cstdio>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

namespace igw::cli {

int run_cli(int argc, char** argv, std::span<const Register> groups) {
  CLI::App app{"igw: an OpenAI-compatible LLM inference gateway with first-class observability,\n"
               "and the operator toolkit around it.",
               "igw"};
  app.require_subcommand(1);
  app.footer("Exit codes: 0 ok, 1 runtime failure, 2 usage or config error, 3 a check found problems.");
  for (auto add : groups) add(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  } catch (const Exit& e) {
    std::fflush(stdout);
    return e.code;
  } catch (const std::exception& e) {
    std::cerr << "igw: " << e.what() << '\n';
    return kExitFailure;
  }
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace igw::cli
