// The gateway's own Deployment (`gen k8s --with-gateway`): env from the config catalog, provider keys only
// by reference to a Secret, health probes, non-root security context, resources, and a grace period the
// gateway's drain fits in.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "manifests/gateway_env.hpp"
#include "manifests/k8s_objects.hpp"
#include "manifests/otel_collector.hpp"

namespace igw::manifests::k8s {
namespace {

using nlohmann::ordered_json;

ordered_json labels(const Options& o) {
  return {{"app", o.name}};
}

// Plain values inline; secret settings never: with --secret the whole Secret comes in through envFrom,
// otherwise each one is an optional reference to a Secret named after the gateway.
ordered_json env(const Options& o, const GatewayOptions& g) {
  std::string collector = fmt::format("http://{}.{}.svc:{}", kCollectorName, o.monitoring_ns, kOtlpGrpcPort);
  ordered_json out = ordered_json::array();
  for (const auto& var : gateway_env(o, collector)) {
    if (!var.secret)
      out.push_back({{"name", var.name}, {"value", var.value}});
    else if (g.secret.empty())
      out.push_back(
          {{"name", var.name},
           {"valueFrom", {{"secretKeyRef", {{"name", o.name}, {"key", var.name}, {"optional", true}}}}}});
  }
  return out;
}

ordered_json probe(int initial_delay, int period) {
  return {{"httpGet", {{"path", kHealthPath}, {"port", "http"}}},
          {"initialDelaySeconds", initial_delay},
          {"periodSeconds", period}};
}

ordered_json resources(const GatewayOptions& g) {
  ordered_json limits = ordered_json::object();
  if (!g.cpu_limit.empty()) limits["cpu"] = g.cpu_limit;
  if (!g.memory_limit.empty()) limits["memory"] = g.memory_limit;
  ordered_json out{{"requests", {{"cpu", g.cpu_request}, {"memory", g.memory_request}}}};
  if (!limits.empty()) out["limits"] = limits;
  return out;
}

ordered_json container(const Options& o, const GatewayOptions& g) {
  ordered_json c{{"name", o.name},
                 {"image", o.image},
                 {"imagePullPolicy", "IfNotPresent"},
                 {"ports",
                  {{{"name", "http"}, {"containerPort", api_port()}},
                   {{"name", "metrics"}, {"containerPort", metrics_port()}}}},
                 {"env", env(o, g)}};
  // A Secret named on purpose must exist: the pod does not start without it (no silent keyless gateway).
  if (!g.secret.empty()) c["envFrom"] = {{{"secretRef", {{"name", g.secret}}}}};
  c["readinessProbe"] = probe(2, 5);
  c["livenessProbe"] = probe(10, 10);
  c["resources"] = resources(g);
  c["securityContext"] = container_security_context();
  return c;
}

// Replicas prefer different nodes, without ever blocking scheduling when there are too few.
ordered_json spread(const Options& o) {
  return {{{"maxSkew", 1},
           {"topologyKey", "kubernetes.io/hostname"},
           {"whenUnsatisfiable", "ScheduleAnyway"},
           {"labelSelector", {{"matchLabels", labels(o)}}}}};
}

}  // namespace

ordered_json gateway_deployment(const Options& o, const GatewayOptions& g) {
  ordered_json pod{{"securityContext", pod_security_context()}};
  if (has_autoscaler(g) || g.replicas > 1) pod["topologySpreadConstraints"] = spread(o);
  pod["terminationGracePeriodSeconds"] = shutdown_grace_seconds(o);
  pod["containers"] = {container(o, g)};
  ordered_json spec = ordered_json::object();
  // Under an autoscaler the Deployment leaves replicas out, so re-applying it does not undo a scale.
  if (!has_autoscaler(g)) spec["replicas"] = g.replicas;
  spec["selector"] = {{"matchLabels", labels(o)}};
  spec["template"] = {{"metadata", {{"labels", labels(o)}}}, {"spec", pod}};
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", o.name}, {"namespace", o.ns}, {"labels", labels(o)}}},
          {"spec", spec}};
}

ordered_json gateway_autoscaler(const Options& o, const GatewayOptions& g) {
  ordered_json cpu{
      {"type", "Resource"},
      {"resource",
       {{"name", "cpu"}, {"target", {{"type", "Utilization"}, {"averageUtilization", g.hpa_cpu}}}}}};
  return {{"apiVersion", "autoscaling/v2"},
          {"kind", "HorizontalPodAutoscaler"},
          {"metadata", {{"name", o.name}, {"namespace", o.ns}, {"labels", labels(o)}}},
          {"spec",
           {{"scaleTargetRef", {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", o.name}}},
            {"minReplicas", min_pods(g)},
            {"maxReplicas", g.hpa_max},
            {"metrics", {cpu}}}}};
}

ordered_json gateway_disruption_budget(const Options& o) {
  return {{"apiVersion", "policy/v1"},
          {"kind", "PodDisruptionBudget"},
          {"metadata", {{"name", o.name}, {"namespace", o.ns}, {"labels", labels(o)}}},
          {"spec", {{"minAvailable", 1}, {"selector", {{"matchLabels", labels(o)}}}}}};
}

}  // namespace igw::manifests::k8s
