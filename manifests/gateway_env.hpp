// The environment a deployed gateway runs with, from the config catalog: telemetry on, listening on all
// interfaces, traces to the collector, and every secret setting (API keys, tokens) left to a secret store.
// Settings the catalog marks planned are never set.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "manifests/options.hpp"

namespace igw::manifests {

struct EnvVar {
  std::string name;
  std::string value;  // empty for secrets
  bool secret = false;
};

// Fixed values first (in catalog order), then every secret setting of the catalog. SERVER_DRAIN_TIMEOUT is
// set only when the options name one (otherwise the gateway runs with the catalog default).
std::vector<EnvVar> gateway_env(const Options& options, std::string_view otlp_endpoint);

// What the platform should allow between SIGTERM and SIGKILL: the drain timeout (the options' or the
// catalog default), rounded up to whole seconds, plus kShutdownMarginSeconds.
std::int64_t shutdown_grace_seconds(const Options& options);
// After the drain the gateway flushes its last spans (at most 5 s) and exits; the rest is slack.
inline constexpr std::int64_t kShutdownMarginSeconds = 10;

}  // namespace igw::manifests
