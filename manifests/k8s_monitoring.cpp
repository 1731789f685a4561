// The gateway's Service and what kube-prometheus-stack needs to watch it: ServiceMonitor, PrometheusRule
// and the Grafana dashboard ConfigMap.
#include <nlohmann/json.hpp>

#include "manifests/grafana.hpp"
#include "manifests/k8s_objects.hpp"
#include "manifests/rules.hpp"

namespace igw::manifests::k8s {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view kHttpPortName = "http";
constexpr std::string_view kMetricsPortName = "metrics";

ordered_json metadata(const std::string& name, const std::string& ns, ordered_json labels) {
  return {{"name", name}, {"namespace", ns}, {"labels", std::move(labels)}};
}

ordered_json port(std::string_view name, std::uint16_t number) {
  return {{"name", name}, {"port", number}, {"targetPort", number}};
}

}  // namespace

ordered_json gateway_service(const Options& o) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", metadata(o.name, o.ns, {{"app", o.name}})},
          {"spec",
           {{"selector", {{"app", o.name}}},
            {"ports", {port(kHttpPortName, api_port()), port(kMetricsPortName, metrics_port())}}}}};
}

ordered_json service_monitor(const Options& o) {
  return {{"apiVersion", "monitoring.coreos.com/v1"},
          {"kind", "ServiceMonitor"},
          {"metadata", metadata(o.name, o.monitoring_ns, {{"release", o.release}})},
          {"spec",
           {{"selector", {{"matchLabels", {{"app", o.name}}}}},
            {"namespaceSelector", {{"matchNames", {o.ns}}}},
            {"endpoints",
             {{{"port", kMetricsPortName},
               {"path", kMetricsPath},
               {"interval", o.interval},
               {"scrapeTimeout", o.scrape_timeout}}}}}}};
}

ordered_json prometheus_rule(const Options& o) {
  return {{"apiVersion", "monitoring.coreos.com/v1"},
          {"kind", "PrometheusRule"},
          {"metadata", metadata(o.name, o.monitoring_ns, {{"release", o.release}})},
          {"spec", rule_groups(o)}};
}

// kube-prometheus-stack's Grafana sidecar loads every ConfigMap labelled grafana_dashboard: "1".
ordered_json dashboard_config_map(const Options& o) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", metadata(o.name + "-dashboard", o.monitoring_ns, {{"grafana_dashboard", "1"}})},
          {"data", {{kDashboardFile, dashboard_json(o)}}}};
}

ordered_json pod_security_context() {
  return {{"runAsNonRoot", true},
          {"runAsUser", 65532},
          {"runAsGroup", 65532},
          {"fsGroup", 65532},
          {"seccompProfile", {{"type", "RuntimeDefault"}}}};
}

ordered_json container_security_context() {
  return {{"allowPrivilegeEscalation", false},
          {"readOnlyRootFilesystem", true},
          {"capabilities", {{"drop", {"ALL"}}}}};
}

}  // namespace igw::manifests::k8s
