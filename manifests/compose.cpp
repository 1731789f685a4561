#include "manifests/compose.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "manifests/compose_parts.hpp"
#include "manifests/gateway_env.hpp"
#include "manifests/grafana.hpp"
#include "manifests/otel_collector.hpp"
#include "manifests/prometheus.hpp"
#include "manifests/rules.hpp"
#include "manifests/yaml.hpp"

namespace igw::manifests {
namespace {

using nlohmann::ordered_json;
using namespace compose;

std::string published(std::uint16_t port) {
  return fmt::format("{}:{}", port, port);
}

ordered_json gateway(const Options& o) {
  ordered_json env = ordered_json::object();
  for (const auto& var : gateway_env(o, fmt::format("http://{}:{}", kCollectorName, kOtlpGrpcPort)))
    env[var.name] = var.secret ? fmt::format("${{{}:-}}", var.name) : var.value;
  return {{"image", o.image},
          {"environment", env},
          {"ports", {published(api_port())}},
          {"depends_on", {kCollectorName}},
          {"restart", "unless-stopped"},
          // Docker's default 10 s would kill the gateway in the middle of its drain.
          {"stop_grace_period", fmt::format("{}s", shutdown_grace_seconds(o))}};
}

ordered_json services(const Options& o) {
  return {
      {o.name, gateway(o)},
      {"prometheus",
       {{"image", kPrometheusImage},
        {"command", {"--config.file=/etc/prometheus/" + std::string{kPrometheusConfigFile}}},
        {"volumes", {"./prometheus:/etc/prometheus:ro"}},
        {"ports", {published(kPrometheusPort)}},
        {"depends_on", {o.name}}}},
      {"grafana",
       {{"image", kGrafanaImage},
        {"environment", {{"GF_AUTH_ANONYMOUS_ENABLED", "true"}, {"GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer"}}},
        {"volumes",
         {"./grafana/provisioning:/etc/grafana/provisioning:ro",
          "./grafana/dashboards:" + std::string{kDashboardDir} + ":ro"}},
        {"ports", {published(kGrafanaPort)}},
        {"depends_on", {"prometheus", "loki", "jaeger"}}}},
      {"loki",
       {{"image", kLokiImage},
        {"command", {"-config.file=/etc/loki/local-config.yaml"}},
        {"ports", {published(kLokiPort)}}}},
      {"promtail",
       {{"image", kPromtailImage},
        {"command", {"-config.file=/etc/promtail/promtail.yaml"}},
        {"volumes", {"./promtail:/etc/promtail:ro", "/var/run/docker.sock:/var/run/docker.sock:ro"}},
        {"depends_on", {"loki"}}}},
      {kCollectorName,
       {{"image", kCollectorImage},
        {"command", {"--config=/etc/otelcol/" + std::string{kCollectorConfigFile}}},
        {"volumes", {"./otel-collector:/etc/otelcol:ro"}},
        {"depends_on", {"jaeger"}}}},
      {"jaeger",
       {{"image", kJaegerImage},
        {"environment", {{"COLLECTOR_OTLP_ENABLED", "true"}}},
        {"ports", {published(kJaegerUiPort)}}}}};
}

}  // namespace

std::vector<File> compose_files(const Options& options) {
  Options o = options;
  o.jaeger_endpoint = fmt::format("jaeger:{}", kOtlpGrpcPort);  // the stack's own Jaeger
  return {
      {"docker-compose.yaml", to_yaml(ordered_json{{"name", o.name}, {"services", services(o)}})},
      {"prometheus/" + std::string{kPrometheusConfigFile}, prometheus_config(o, o.name)},
      {"prometheus/" + std::string{kRulesFile}, rules_file(o)},
      {"grafana/provisioning/datasources/datasources.yaml", to_yaml(grafana_datasources())},
      {"grafana/provisioning/dashboards/dashboards.yaml", to_yaml(grafana_dashboard_provider())},
      {"grafana/dashboards/" + std::string{kDashboardFile}, dashboard_json(o)},
      {"promtail/promtail.yaml", to_yaml(promtail_config(o))},
      {"otel-collector/" + std::string{kCollectorConfigFile}, collector_config_yaml(o)},
      {"README.md", readme(o)},
  };
}

}  // namespace igw::manifests
