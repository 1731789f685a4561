// Pieces of the compose stack besides docker-compose.yaml itself (internal to igw_manifests).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "manifests/options.hpp"

namespace igw::manifests::compose {

// Images of the stack's peers, pinned so the stack is reproducible.
inline constexpr std::string_view kPrometheusImage = "prom/prometheus:v2.53.0";
inline constexpr std::string_view kGrafanaImage = "grafana/grafana:11.1.0";
inline constexpr std::string_view kLokiImage = "grafana/loki:3.1.0";
inline constexpr std::string_view kPromtailImage = "grafana/promtail:3.1.0";
inline constexpr std::string_view kJaegerImage = "jaegertracing/all-in-one:1.58.0";

// The peers' usual ports, published on the host.
inline constexpr std::uint16_t kPrometheusPort = 9090;
inline constexpr std::uint16_t kGrafanaPort = 3000;
inline constexpr std::uint16_t kLokiPort = 3100;
inline constexpr std::uint16_t kJaegerUiPort = 16686;

// Where Grafana's container reads the provisioned dashboards.
inline constexpr std::string_view kDashboardDir = "/var/lib/grafana/dashboards";

nlohmann::ordered_json grafana_datasources();
nlohmann::ordered_json grafana_dashboard_provider();
nlohmann::ordered_json promtail_config(const Options& o);
std::string readme(const Options& o);

}  // namespace igw::manifests::compose
