// The gateway as a library: `igw serve` calls run_gateway, and `igw demo` starts it in-process next to
// the mock provider. Free of Boost and Beast so any file may include it.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <stop_token>
#include <string>

#include "config/loader.hpp"

namespace igw::server {

// Where the gateway listens once it is up (ports resolved: a configured port 0 becomes the real one).
struct Endpoints {
  std::string address;             // SERVER_HOST as bound
  std::uint16_t port = 0;          // the API port
  bool tls = false;                // the API serves HTTPS
  std::uint16_t metrics_port = 0;  // 0 when telemetry is off
  std::string metrics_address;
};

struct RunOptions {
  // Called once, from the calling thread, when every listener is bound and accepting.
  std::function<void(const Endpoints&)> on_ready;
  // Requesting a stop starts the graceful drain, exactly like SIGTERM.
  std::stop_token stop;
  // Also drain on SIGTERM/SIGINT (what `igw serve` wants; an embedding program may handle them itself).
  bool handle_signals = true;
};

// Runs the gateway until a stop (signal or stop token) has drained it. Blocks the calling thread; worker
// threads are started and joined inside. Returns an error line when start-up fails (a port in use, a TLS
// file that does not load...). Logging must already be initialised (telemetry::log::init).
std::expected<void, std::string> run_gateway(const config::Config& config, const RunOptions& options = {});

}  // namespace igw::server
