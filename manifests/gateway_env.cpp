#include "manifests/gateway_env.hpp"

#include <utility>

#include "config/settings.hpp"

namespace igw::manifests {

std::vector<EnvVar> gateway_env(const Options& o, std::string_view otlp_endpoint) {
  using config::Key;
  const std::pair<Key, std::string> wanted[] = {
      {Key::environment, std::string{config::kProduction}},
      {Key::server_host, "0.0.0.0"},
      {Key::server_port, std::to_string(api_port())},
      {Key::telemetry_enable, "true"},
      {Key::telemetry_metrics_port, std::to_string(metrics_port())},
      {Key::otel_exporter_otlp_endpoint, std::string{otlp_endpoint}},
      {Key::otel_exporter_otlp_protocol, std::string{config::kOtlpGrpc}},
      {Key::otel_service_name, o.name},
      {Key::otel_resource_attributes, "deployment.environment=" + std::string{config::kProduction}},
  };
  // A planned setting would stop the gateway at start-up: it is left out until it is implemented.
  std::vector<EnvVar> out;
  for (const auto& [key, value] : wanted)
    if (config::setting(key).status == config::Status::implemented) out.push_back({config::env_name(key), value});
  for (const auto& s : config::settings())
    if (s.secret && s.status == config::Status::implemented) out.push_back({s.env, "", true});
  return out;
}

}  // namespace igw::manifests
