// How `gen k8s --with-gateway` runs the gateway: a fixed replica count or a HorizontalPodAutoscaler, a
// PodDisruptionBudget once more than one pod must stay up, where the provider keys come from, and the
// container's resources.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace igw::manifests {

struct GatewayOptions {
  int replicas = 1;  // the Deployment's replicas when no autoscaler manages it
  int hpa_min = 0;   // the autoscaler's minReplicas; 0: --replicas
  int hpa_max = 0;   // the autoscaler's maxReplicas; 0: no HorizontalPodAutoscaler
  int hpa_cpu = 70;  // target average CPU utilization, in % of the CPU request
  // A Secret whose every key becomes the container's environment (envFrom). Empty: one optional
  // secretKeyRef per secret setting of the catalog, to a Secret named after the gateway.
  std::string secret;
  std::string cpu_request = "250m";
  std::string cpu_limit = "1";  // empty: no CPU limit
  std::string memory_request = "128Mi";
  std::string memory_limit = "512Mi";  // empty: no memory limit
};

// Checks counts, the Secret name and the resource quantities; the error names the flag, the value and
// what was expected.
std::expected<void, std::string> validate(const GatewayOptions& g);

// Whether an autoscaler is emitted, and the fewest pods that run (the autoscaler's minimum or the replicas).
inline bool has_autoscaler(const GatewayOptions& g) {
  return g.hpa_max != 0;
}
int min_pods(const GatewayOptions& g);
// A PodDisruptionBudget only makes sense when a voluntary eviction can leave another pod serving.
inline bool has_disruption_budget(const GatewayOptions& g) {
  return min_pods(g) > 1;
}

// A Kubernetes resource quantity ("250m", "1", "0.5", "128Mi", "1G", "1e3") in base units, or nothing.
std::optional<double> quantity_value(std::string_view text);

}  // namespace igw::manifests
