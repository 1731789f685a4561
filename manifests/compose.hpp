// A runnable docker-compose monitoring stack in one folder: the gateway with telemetry on, Prometheus
// (scrape config + rules), Grafana (provisioned datasources and dashboard), Loki + Promtail reading the
// gateway's JSON logs, the OpenTelemetry Collector and Jaeger, plus a README saying how to start it.
#pragma once

#include <vector>

#include "manifests/options.hpp"

namespace igw::manifests {

std::vector<File> compose_files(const Options& options);

}  // namespace igw::manifests
