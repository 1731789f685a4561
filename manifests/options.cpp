#include "manifests/options.hpp"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "config/parse.hpp"
#include "config/settings.hpp"
#include "telemetry/build_info.hpp"

namespace igw::manifests {
namespace {

// Kubernetes object names and label values: lowercase RFC 1123 labels.
bool is_dns_label(std::string_view s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  for (char c : s)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '-'))
      return false;
  return true;
}

std::expected<void, std::string> check_name(std::string_view flag, std::string_view value) {
  if (is_dns_label(value)) return {};
  return std::unexpected(
      fmt::format("{} \"{}\": expected a lowercase DNS label (a-z, 0-9, '-', at most 63)", flag, value));
}

std::expected<void, std::string> check_threshold(const telemetry::AlertDef& def, double value) {
  std::string_view flag = threshold_flag(def.id);
  if (def.threshold_unit == "ratio" && !(value > 0 && value < 1))
    return std::unexpected(fmt::format("{} {}: expected a ratio between 0 and 1 (exclusive)", flag, value));
  // histogram_quantile() reads no further than the last finite bucket, so a threshold at or past it can
  // never be exceeded; one at or below the first bucket could not be tested just below.
  auto buckets = telemetry::metric(telemetry::Metric::request_duration).buckets;
  if (def.threshold_unit == "ms" && !(value > buckets.front() && value < buckets.back()))
    return std::unexpected(fmt::format(
        "{} {}: expected milliseconds above {} and below {} (the bucket range of {})", flag, value,
        buckets.front(), buckets.back(), telemetry::metric(telemetry::Metric::request_duration).name));
  return {};
}

}  // namespace

std::string default_image() {
  return fmt::format("{}:{}", kImageRepository, telemetry::build_info().version);
}

Options default_options() {
  Options o;
  o.image = default_image();
  o.name = config::setting(config::Key::otel_service_name).default_value;
  for (const auto& def : telemetry::alerts()) o.thresholds[static_cast<std::size_t>(def.id)] = def.threshold;
  return o;
}

std::expected<std::int64_t, std::string> duration_seconds(std::string_view flag, std::string_view text) {
  auto fail = [&] {
    return std::unexpected(
        fmt::format("{} \"{}\": expected a duration in whole seconds like 15s, 10m or 1h30m", flag, text));
  };
  if (text.empty()) return fail();
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = i;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
    if (j == i || j == text.size() || j - i > 9) return fail();
    std::int64_t n = std::stoll(std::string{text.substr(i, j - i)});
    char unit = text[j];
    std::int64_t scale = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 0;
    if (scale == 0) return fail();
    total += n * scale;
    i = j + 1;
  }
  if (total <= 0) return fail();
  return total;
}

std::string prometheus_duration(std::int64_t seconds) {
  std::string out;
  if (seconds >= 3600) out += fmt::format("{}h", seconds / 3600);
  if (seconds % 3600 >= 60) out += fmt::format("{}m", seconds % 3600 / 60);
  if (seconds % 60 != 0 || seconds == 0) out += fmt::format("{}s", seconds % 60);
  return out;
}

std::expected<void, std::string> validate(const Options& o) {
  for (auto [flag, value] : {std::pair<std::string_view, std::string_view>{"--name", o.name},
                             {"--namespace", o.ns},
                             {"--monitoring-namespace", o.monitoring_ns},
                             {"--release", o.release}})
    if (auto ok = check_name(flag, value); !ok) return ok;
  auto interval = duration_seconds("--interval", o.interval);
  if (!interval) return std::unexpected(interval.error());
  auto timeout = duration_seconds("--scrape-timeout", o.scrape_timeout);
  if (!timeout) return std::unexpected(timeout.error());
  if (*timeout > *interval)
    return std::unexpected(fmt::format("--scrape-timeout \"{}\": expected at most --interval \"{}\"",
                                       o.scrape_timeout, o.interval));
  if (!o.alert_for.empty())
    if (auto d = duration_seconds("--alert-for", o.alert_for); !d) return std::unexpected(d.error());
  for (const auto& def : telemetry::alerts())
    if (auto ok = check_threshold(def, threshold(o, def.id)); !ok) return ok;
  if (o.image.empty()) return std::unexpected("--image \"\": expected a container image reference");
  if (o.jaeger_endpoint.empty()) return std::unexpected("--jaeger-endpoint \"\": expected host:port");
  if (!o.drain_timeout.empty())
    if (auto d = config::parse_duration(o.drain_timeout); !d)
      return std::unexpected(fmt::format("--drain-timeout \"{}\": expected {}", o.drain_timeout, d.error()));
  return {};
}

std::int64_t alert_for_seconds(const Options& o, telemetry::Alert alert) {
  auto d = duration_seconds("for", o.alert_for.empty() ? telemetry::alert(alert).for_duration : o.alert_for);
  return d ? *d : 0;
}

std::string_view threshold_flag(telemetry::Alert alert) {
  switch (alert) {
    case telemetry::Alert::high_error_rate:
      return "--error-rate-threshold";
    case telemetry::Alert::p95_latency_high:
      return "--p95-latency-threshold-ms";
    case telemetry::Alert::tool_call_failures:
      return "--tool-failure-threshold";
    case telemetry::Alert::count_:
      break;
  }
  return {};
}

double threshold(const Options& o, telemetry::Alert alert) {
  return o.thresholds[static_cast<std::size_t>(alert)];
}

std::uint16_t api_port() {
  return config::default_port(config::Key::server_port);
}
std::uint16_t metrics_port() {
  return config::default_port(config::Key::telemetry_metrics_port);
}

}  // namespace igw::manifests
