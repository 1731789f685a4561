// What every generator is parameterized by: names, namespaces, scrape settings and alert thresholds.
// Defaults come from the catalogs (the service name from OTEL_SERVICE_NAME, thresholds and `for` from the
// alert definitions); `igw gen` flags override them.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/queries.hpp"

namespace igw::manifests {

inline constexpr std::size_t kAlertCount = static_cast<std::size_t>(telemetry::Alert::count_);

struct Options {
  std::string name;  // the gateway's Service/Deployment name and `app` label
  std::string ns = "inference-gateway";
  std::string monitoring_ns = "monitoring";
  std::string release = "kube-prometheus-stack";
  std::string interval = "15s";
  std::string scrape_timeout = "10s";
  std::array<double, kAlertCount> thresholds{};  // indexed by telemetry::Alert
  std::string alert_for;         // when set, replaces every alert's `for` (tests use short ones)
  std::string runbook_base_url;  // when set, each alert gets runbook_url = base + "/" + alert name
  std::string image;             // the gateway container image; default_image() unless --image
  std::string jaeger_endpoint = "jaeger-collector:4317";  // where the collector sends traces
  std::string drain_timeout;  // SERVER_DRAIN_TIMEOUT for deployed gateways; empty: the catalog default
};

// The image the repository's Dockerfile builds, tagged with igw's own version (`igw version`):
// ghcr.io/inference-gateway/igw:<version>. A generator never points at a moving tag like `latest`.
inline constexpr std::string_view kImageRepository = "ghcr.io/inference-gateway/igw";
std::string default_image();

// Options with every default filled in.
Options default_options();

// Checks names, durations and thresholds; the error names the flag, the value and what was expected.
std::expected<void, std::string> validate(const Options& options);

// A Prometheus duration ("15s", "10m", "1h30m") in seconds, or what was expected.
std::expected<std::int64_t, std::string> duration_seconds(std::string_view flag, std::string_view text);
// Seconds as Prometheus writes durations: 600 -> "10m", 5400 -> "1h30m", 90 -> "1m30s".
std::string prometheus_duration(std::int64_t seconds);

// The `for` of an alert under these options, in seconds.
std::int64_t alert_for_seconds(const Options& options, telemetry::Alert alert);
double threshold(const Options& options, telemetry::Alert alert);
// The `igw gen` flag that sets an alert's threshold: "--error-rate-threshold", ...
std::string_view threshold_flag(telemetry::Alert alert);

// Ports and values the generated objects share, read from the config catalog.
std::uint16_t api_port();
std::uint16_t metrics_port();

// HTTP paths of the gateway the generated objects point at (its metrics endpoint and health check).
inline constexpr std::string_view kMetricsPath = "/metrics";
inline constexpr std::string_view kHealthPath = "/health";

// A file a generator writes under --output-dir (relative path) or prints to stdout.
struct File {
  std::string path;
  std::string content;
};

}  // namespace igw::manifests
