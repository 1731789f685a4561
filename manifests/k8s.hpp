// Kubernetes objects for kube-prometheus-stack: the gateway Service, ServiceMonitor, PrometheusRule, the
// Grafana dashboard ConfigMap, the OpenTelemetry Collector (ConfigMap, Deployment, Service) and, on
// request, the gateway Deployment with its HorizontalPodAutoscaler and PodDisruptionBudget.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "manifests/k8s_gateway_options.hpp"
#include "manifests/options.hpp"

namespace igw::manifests {

enum class Format { yaml, json };

struct K8sOptions {
  bool with_gateway = false;      // add the gateway Deployment (and its autoscaler and disruption budget)
  GatewayOptions gateway;         // how that Deployment runs
  std::vector<std::string> only;  // kinds to keep (Service, ServiceMonitor, ...); empty keeps all
  Format format = Format::yaml;
};

// The kinds `--only` accepts.
std::vector<std::string> k8s_kinds();

// All objects as one stream: YAML documents separated by `---`, or a JSON `List`.
std::expected<std::string, std::string> k8s_manifest(const Options& options, const K8sOptions& k8s);
// One file per object, named `<kind>-<name>.yaml|json` in lowercase.
std::expected<std::vector<File>, std::string> k8s_files(const Options& options, const K8sOptions& k8s);

}  // namespace igw::manifests
