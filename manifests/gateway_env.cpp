#include "manifests/gateway_env.hpp"

#include <utility>

#include "server/config/settings.hpp"

namespace igw::manifests {

std::vector<EnvVar> gateway_env(const Options& o, std::string_view otlp_endpoint) {
  using config::Key;
  const auto all = config::settings();
  auto env = [&](Key key) { return all[config::index_of(key)].env; };
  std::vector<EnvVar> out{
      {env(Key::environment), std::string{config::kProduction}},
      {env(Key::server_host), "0.0.0.0"},
      {env(Key::server_port), std::to_string(api_port())},
      {env(Key::telemetry_enable), "true"},
      {env(Key::telemetry_metrics_port), std::to_string(metrics_port())},
      {env(Key::otel_exporter_otlp_endpoint), std::string{otlp_endpoint}},
      {env(Key::otel_exporter_otlp_protocol), "grpc"},
      {env(Key::otel_service_name), o.name},
      {env(Key::otel_resource_attributes), "deployment.environment=" + std::string{config::kProduction}},
  };
  for (const auto& s : all)
    if (s.secret) out.push_back({s.env, "", true});
  return out;
}

}  // namespace igw::manifests
