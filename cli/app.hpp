// The command-line front door shared by igw and the test-only tools built from parts of it: registers
// the given command groups, parses, runs, and maps errors to exit codes.
#pragma once

#include <span>

namespace CLI {
class App;
}

namespace igw::cli {

using Register = void (*)(CLI::App&);

int run_cli(int argc, char** argv, std::span<const Register> groups);

}  // namespace igw::cli
