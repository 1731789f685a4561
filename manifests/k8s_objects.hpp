// The individual Kubernetes objects `gen k8s` emits (internal to igw_manifests).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "manifests/k8s_gateway_options.hpp"
#include "manifests/options.hpp"

namespace igw::manifests::k8s {

nlohmann::ordered_json gateway_service(const Options& o);
nlohmann::ordered_json service_monitor(const Options& o);
nlohmann::ordered_json prometheus_rule(const Options& o);
nlohmann::ordered_json dashboard_config_map(const Options& o);
nlohmann::ordered_json collector_config_map(const Options& o);
nlohmann::ordered_json collector_deployment(const Options& o);
nlohmann::ordered_json collector_service(const Options& o);
nlohmann::ordered_json gateway_deployment(const Options& o, const GatewayOptions& g = {});
// autoscaling/v2, on CPU utilization; only when has_autoscaler(g).
nlohmann::ordered_json gateway_autoscaler(const Options& o, const GatewayOptions& g);
// policy/v1, minAvailable 1; only when has_disruption_budget(g).
nlohmann::ordered_json gateway_disruption_budget(const Options& o);

// Pod and container security settings every generated workload shares: non-root, no privilege
// escalation, read-only root filesystem, all capabilities dropped.
nlohmann::ordered_json pod_security_context();
nlohmann::ordered_json container_security_context();

}  // namespace igw::manifests::k8s
