// igw-logs-sanitized: `igw logs` alone, built with AddressSanitizer and UndefinedBehaviorSanitizer, so the
// end-to-end garbage tests run the log reader under the sanitizers in every test run.
#include "cli/app.hpp"
#include "cli/commands.hpp"

int main(int argc, char** argv) {
  constexpr igw::cli::Register kGroups[] = {&igw::cli::add_logs};
  return igw::cli::run_cli(argc, argv, kGroups);
}
