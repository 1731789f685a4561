// The command groups of the igw binary. Each file cli/<group>.cpp registers its subcommand; main.cpp
// lists them. Nothing here holds business logic: commands parse arguments and call the libraries.
#pragma once

namespace CLI {
class App;
}

namespace igw::cli {

// Thrown by a command to end the program with an exit code (0 ok, 1 runtime failure, 2 usage/config
// error, 3 a check found problems); main turns it into the process exit status.
struct Exit {
  int code;
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitCheckFailed = 3;

void add_serve(CLI::App& app);
void add_version(CLI::App& app);
void add_metrics(CLI::App& app);
void add_gen(CLI::App& app);
void add_logs(CLI::App& app);
void add_config(CLI::App& app);
void add_mock(CLI::App& app);
void add_demo(CLI::App& app);
void add_doctor(CLI::App& app);
void add_completion(CLI::App& app);

}  // namespace igw::cli
