// Every non-secret setting of the config catalog as a flag (`--server-port 9000`), shared by `serve`
// and `config show|check` so all three read settings the same way.
#pragma once

#include <expected>
#include <memory>

#include "config/loader.hpp"

namespace CLI {
class App;
}

namespace igw::cli {

// Registers the flags on cmd; the returned map fills as they are parsed.
std::shared_ptr<config::FlagValues> add_setting_flags(CLI::App& cmd);

// Loads the configuration from the environment and the given flags; on a bad value prints the
// one-line error to stderr and throws Exit{2}.
config::Config load_config_or_exit(const config::FlagValues& flags);

}  // namespace igw::cli
