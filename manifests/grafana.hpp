// The Grafana dashboard: the page's panel table plus igw's extra panels, from telemetry's panel
// definitions. Importable as is (a datasource template variable, provider/model variables, a stable uid,
// $__rate_interval windows).
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "manifests/options.hpp"

namespace igw::manifests {

inline constexpr std::string_view kDashboardFile = "inference-gateway.json";

// The dashboard object.
nlohmann::ordered_json dashboard(const Options& options);
// Its JSON text, indented by two, ending in a newline.
std::string dashboard_json(const Options& options);

}  // namespace igw::manifests
