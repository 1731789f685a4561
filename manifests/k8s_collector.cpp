// The OpenTelemetry Collector as Kubernetes objects: its configuration, a Deployment and a Service.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "manifests/k8s_objects.hpp"
#include "manifests/otel_collector.hpp"

namespace igw::manifests::k8s {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view kConfigDir = "/conf";
constexpr std::string_view kConfigVolume = "config";

ordered_json collector_labels() {
  return {{"app", kCollectorName}};
}

ordered_json collector_metadata(const Options& o) {
  return {{"name", kCollectorName}, {"namespace", o.monitoring_ns}, {"labels", collector_labels()}};
}

ordered_json otlp_ports(bool service) {
  ordered_json out = ordered_json::array();
  for (auto [name, number] : {std::pair<std::string_view, std::uint16_t>{"otlp-grpc", kOtlpGrpcPort},
                              {"otlp-http", kOtlpHttpPort}}) {
    if (service)
      out.push_back({{"name", name}, {"port", number}, {"targetPort", number}});
    else
      out.push_back({{"name", name}, {"containerPort", number}});
  }
  return out;
}

ordered_json collector_container() {
  return {{"name", kCollectorName},
          {"image", kCollectorImage},
          {"args", {fmt::format("--config={}/{}", kConfigDir, kCollectorConfigFile)}},
          {"ports", otlp_ports(false)},
          {"resources",
           {{"requests", {{"cpu", "100m"}, {"memory", "128Mi"}}}, {"limits", {{"memory", "640Mi"}}}}},
          {"securityContext", container_security_context()},
          {"volumeMounts", {{{"name", kConfigVolume}, {"mountPath", kConfigDir}, {"readOnly", true}}}}};
}

}  // namespace

ordered_json collector_config_map(const Options& o) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", collector_metadata(o)},
          {"data", {{kCollectorConfigFile, collector_config_yaml(o)}}}};
}

ordered_json collector_deployment(const Options& o) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", collector_metadata(o)},
          {"spec",
           {{"replicas", 1},
            {"selector", {{"matchLabels", collector_labels()}}},
            {"template",
             {{"metadata", {{"labels", collector_labels()}}},
              {"spec",
               {{"securityContext", pod_security_context()},
                {"containers", {collector_container()}},
                {"volumes", {{{"name", kConfigVolume}, {"configMap", {{"name", kCollectorName}}}}}}}}}}}}};
}

ordered_json collector_service(const Options& o) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", collector_metadata(o)},
          {"spec", {{"selector", collector_labels()}, {"ports", otlp_ports(true)}}}};
}

}  // namespace igw::manifests::k8s
