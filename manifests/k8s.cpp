#include "manifests/k8s.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "manifests/k8s_objects.hpp"
#include "manifests/yaml.hpp"

namespace igw::manifests {
namespace {

using nlohmann::ordered_json;

std::vector<ordered_json> all_objects(const Options& o, const K8sOptions& k) {
  std::vector<ordered_json> out{k8s::gateway_service(o),      k8s::service_monitor(o),
                                k8s::prometheus_rule(o),      k8s::dashboard_config_map(o),
                                k8s::collector_config_map(o), k8s::collector_deployment(o),
                                k8s::collector_service(o)};
  if (!k.with_gateway) return out;
  out.push_back(k8s::gateway_deployment(o, k.gateway));
  if (has_autoscaler(k.gateway)) out.push_back(k8s::gateway_autoscaler(o, k.gateway));
  if (has_disruption_budget(k.gateway)) out.push_back(k8s::gateway_disruption_budget(o));
  return out;
}

std::expected<std::vector<ordered_json>, std::string> selected(const Options& o, const K8sOptions& k) {
  if (auto ok = validate(o); !ok) return std::unexpected(ok.error());
  if (auto ok = validate(k.gateway); !ok) return std::unexpected(ok.error());
  const auto kinds = k8s_kinds();
  for (const auto& kind : k.only)
    if (std::ranges::find(kinds, kind) == kinds.end())
      return std::unexpected(
          fmt::format("--only \"{}\": expected kinds among {}", kind, fmt::join(kinds, ", ")));
  std::vector<ordered_json> out;
  for (auto& object : all_objects(o, k)) {
    auto kind = object["kind"].get<std::string>();
    if (k.only.empty() || std::ranges::find(k.only, kind) != k.only.end()) out.push_back(std::move(object));
  }
  return out;
}

std::string lowercase(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::vector<std::string> k8s_kinds() {
  return {"Service",    "ServiceMonitor",          "PrometheusRule",     "ConfigMap",
          "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"};
}

std::expected<std::string, std::string> k8s_manifest(const Options& o, const K8sOptions& k) {
  auto objects = selected(o, k);
  if (!objects) return std::unexpected(objects.error());
  if (k.format == Format::yaml) return to_yaml_stream(*objects);
  ordered_json list{{"apiVersion", "v1"}, {"kind", "List"}, {"items", *objects}};
  return list.dump(2) + "\n";
}

std::expected<std::vector<File>, std::string> k8s_files(const Options& o, const K8sOptions& k) {
  auto objects = selected(o, k);
  if (!objects) return std::unexpected(objects.error());
  std::vector<File> out;
  for (const auto& object : *objects) {
    std::string stem =
        lowercase(object["kind"].get<std::string>()) + "-" + object["metadata"]["name"].get<std::string>();
    if (k.format == Format::yaml)
      out.push_back({stem + ".yaml", to_yaml(object)});
    else
      out.push_back({stem + ".json", object.dump(2) + "\n"});
  }
  return out;
}

}  // namespace igw::manifests
