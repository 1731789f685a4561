#include "manifests/gateway_env.hpp"

#include <chrono>
#include <utility>

#include "config/parse.hpp"
#include "config/settings.hpp"

namespace igw::manifests {

std::vector<EnvVar> gateway_env(const Options& o, std::string_view otlp_endpoint) {
  using config::Key;
  const std::pair<Key, std::string> wanted[] = {
      {Key::environment, std::string{config::kProduction}},
      {Key::server_host, "0.0.0.0"},
      {Key::server_port, std::to_string(api_port())},
      {Key::server_drain_timeout, o.drain_timeout},
      {Key::telemetry_enable, "true"},
      {Key::telemetry_metrics_port, std::to_string(metrics_port())},
      {Key::otel_exporter_otlp_endpoint, std::string{otlp_endpoint}},
      {Key::otel_exporter_otlp_protocol, std::string{config::kOtlpGrpc}},
      {Key::otel_service_name, o.name},
      {Key::otel_resource_attributes, "deployment.environment=" + std::string{config::kProduction}},
  };
  // A planned setting would stop the gateway at start-up: it is left out until it is implemented. An empty
  // value (no --drain-timeout) leaves the catalog default.
  std::vector<EnvVar> out;
  for (const auto& [key, value] : wanted)
    if (!value.empty() && config::setting(key).status == config::Status::implemented)
      out.push_back({config::env_name(key), value});
  for (const auto& s : config::settings())
    if (s.secret && s.status == config::Status::implemented) out.push_back({s.env, "", true});
  return out;
}

std::int64_t shutdown_grace_seconds(const Options& o) {
  std::string text = o.drain_timeout.empty()
                         ? std::string{config::setting(config::Key::server_drain_timeout).default_value}
                         : o.drain_timeout;
  auto drain = config::parse_duration(text);  // validate() has checked --drain-timeout
  auto seconds = drain ? std::chrono::ceil<std::chrono::seconds>(*drain).count() : 0;
  return seconds + kShutdownMarginSeconds;
}

}  // namespace igw::manifests
