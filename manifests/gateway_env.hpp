// The environment a deployed gateway runs with, from the config catalog: telemetry on, listening on all
// interfaces, traces to the collector, and every secret setting (API keys, tokens) left to a secret store.
// Settings the catalog marks planned are never set.
#pragma once

#include <string>
#include <vector>

#include "manifests/options.hpp"

namespace igw::manifests {

struct EnvVar {
  std::string name;
  std::string value;  // empty for secrets
  bool secret = false;
};

// Fixed values first (in catalog order), then every secret setting of the catalog.
std::vector<EnvVar> gateway_env(const Options& options, std::string_view otlp_endpoint);

}  // namespace igw::manifests
