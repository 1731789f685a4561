// The gateway's own Deployment (`gen k8s --with-gateway`): env from the config catalog, secrets from a
// Secret named after the gateway, health probes, non-root security context and resources.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "manifests/gateway_env.hpp"
#include "manifests/k8s_objects.hpp"
#include "manifests/otel_collector.hpp"

namespace igw::manifests::k8s {
namespace {

using nlohmann::ordered_json;

ordered_json env(const Options& o) {
  std::string collector = fmt::format("http://{}.{}.svc:{}", kCollectorName, o.monitoring_ns, kOtlpGrpcPort);
  ordered_json out = ordered_json::array();
  for (const auto& var : gateway_env(o, collector)) {
    if (var.secret)
      out.push_back(
          {{"name", var.name},
           {"valueFrom", {{"secretKeyRef", {{"name", o.name}, {"key", var.name}, {"optional", true}}}}}});
    else
      out.push_back({{"name", var.name}, {"value", var.value}});
  }
  return out;
}

ordered_json probe(int initial_delay, int period) {
  return {{"httpGet", {{"path", kHealthPath}, {"port", "http"}}},
          {"initialDelaySeconds", initial_delay},
          {"periodSeconds", period}};
}

ordered_json container(const Options& o) {
  return {
      {"name", o.name},
      {"image", o.image},
      {"imagePullPolicy", "IfNotPresent"},
      {"ports",
       {{{"name", "http"}, {"containerPort", api_port()}},
        {{"name", "metrics"}, {"containerPort", metrics_port()}}}},
      {"env", env(o)},
      {"readinessProbe", probe(2, 5)},
      {"livenessProbe", probe(10, 10)},
      {"resources", {{"requests", {{"cpu", "100m"}, {"memory", "64Mi"}}}, {"limits", {{"memory", "512Mi"}}}}},
      {"securityContext", container_security_context()}};
}

}  // namespace

ordered_json gateway_deployment(const Options& o) {
  ordered_json labels{{"app", o.name}};
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", o.name}, {"namespace", o.ns}, {"labels", labels}}},
          {"spec",
           {{"replicas", 1},
            {"selector", {{"matchLabels", labels}}},
            {"template",
             {{"metadata", {{"labels", labels}}},
              {"spec",
               {{"securityContext", pod_security_context()},
                {"terminationGracePeriodSeconds", 45},
                {"containers", {container(o)}}}}}}}}};
}

}  // namespace igw::manifests::k8s
