#include "manifests/rules_test.hpp"

#include <cmath>
#include <numeric>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "manifests/rules.hpp"
#include "manifests/yaml.hpp"
#include "config/providers.hpp"
#include "telemetry/promql.hpp"

namespace igw::manifests {
namespace {

using nlohmann::ordered_json;
using telemetry::Alert;
using telemetry::Metric;
using telemetry::promql::selector;
using Labels = std::map<std::string, std::string, std::less<>>;
namespace label = telemetry::label;

// Samples are one minute apart; rate() needs two, so a condition first holds at the second sample.
constexpr std::int64_t kSampleStep = 60;
constexpr std::int64_t kOnset = kSampleStep;
constexpr std::int64_t kExtraMinutes = 5;  // samples kept after the alert fires
constexpr int kRatioScale = 10000;         // events per minute in ratio scenarios
constexpr int kLatencyCount = 1000;        // observations per minute in latency scenarios

// Label values of the synthetic series.
const std::string kProvider{config::providers().front().id};
constexpr std::string_view kMethod = "POST";
constexpr std::string_view kPath = "/v1/chat/completions";
constexpr std::string_view kModel = "gpt-4o";
constexpr std::string_view kTool = "search";
constexpr std::string_view kErrorType = "timeout";

struct Series {
  std::string name;
  int per_minute;  // counter increase per sample
};

// What a scenario feeds promtool and the value its alert reports.
struct Scenario {
  std::vector<Series> series;
  double value = 0;
};

Scenario error_ratio(int errors) {
  auto responses = [](std::string_view status) {
    return selector(Metric::responses_total, {},
                    {{label::provider, "=", kProvider},
                     {label::request_method, "=", kMethod},
                     {label::request_path, "=", kPath},
                     {label::status_code, "=", status}});
  };
  return {{{responses("500"), errors}, {responses("200"), kRatioScale - errors}},
          static_cast<double>(errors) / kRatioScale};
}

Scenario tool_failure_ratio(int failures) {
  auto tool = [](Metric m, bool failure) {
    if (failure)
      return selector(m, {},
                      {{label::provider, "=", kProvider},
                       {label::model, "=", kModel},
                       {label::tool_type, "=", telemetry::tool_type::mcp},
                       {label::tool_name, "=", kTool},
                       {label::error_type, "=", kErrorType}});
    return selector(m, {},
                    {{label::provider, "=", kProvider},
                     {label::model, "=", kModel},
                     {label::tool_type, "=", telemetry::tool_type::mcp},
                     {label::tool_name, "=", kTool}});
  };
  return {{{tool(Metric::tool_calls_failure_total, true), failures},
           {tool(Metric::tool_calls_total, false), kRatioScale}},
          static_cast<double>(failures) / kRatioScale};
}

// Cumulative bucket series of llm_request_duration, per minute: none up to bucket `lower`, `at_lower`
// observations in bucket `lower`, the rest of kLatencyCount in bucket `upper` (lower <= upper).
Scenario latency(std::size_t lower, int at_lower, std::size_t upper) {
  const auto& def = telemetry::metric(Metric::request_duration);
  Scenario s;
  auto bucket = [&](const std::string& le, int count) {
    s.series.push_back({selector(Metric::request_duration, telemetry::kBucketSuffix,
                                 {{label::provider, "=", kProvider},
                                  {label::request_method, "=", kMethod},
                                  {label::request_path, "=", kPath},
                                  {label::le, "=", le}}),
                        count});
  };
  for (std::size_t i = 0; i < def.buckets.size(); ++i) {
    int count = i < lower ? 0 : i < upper ? at_lower : kLatencyCount;
    bucket(telemetry::promql::number(def.buckets[i]), count);
  }
  bucket("+Inf", kLatencyCount);
  return s;
}

// p95 with every observation in the first bucket that starts at or above the threshold.
Scenario latency_above(double threshold) {
  auto b = telemetry::metric(Metric::request_duration).buckets;
  std::size_t lo = 0;
  while (b[lo] < threshold) ++lo;
  if (lo + 1 == b.size()) {  // only +Inf is left: histogram_quantile answers the last finite bound
    auto s = latency(b.size(), 0, b.size());
    s.value = b.back();
    return s;
  }
  auto s = latency(lo + 1, 0, lo + 1);
  s.value = b[lo] + (b[lo + 1] - b[lo]) * 0.95;
  return s;
}

// p95 just under the threshold: inside the bucket holding it, with enough observations below that
// bucket to pull the interpolation under the threshold.
Scenario latency_below(double threshold) {
  auto b = telemetry::metric(Metric::request_duration).buckets;
  std::size_t hi = 0;
  while (b[hi] < threshold) ++hi;
  double r = (threshold - b[hi - 1]) / (b[hi] - b[hi - 1]);
  double rank = 0.95 * kLatencyCount;
  int lower = r >= 0.95 ? 0 : static_cast<int>(std::floor((rank - kLatencyCount * r) / (1 - r))) + 1;
  return latency(hi - 1, lower, hi);
}

Scenario scenario(Alert alert, double threshold, bool above) {
  auto ratio_count = [&] {
    double exact = threshold * kRatioScale;
    return above ? static_cast<int>(std::floor(exact)) + 1 : static_cast<int>(std::ceil(exact)) - 1;
  };
  switch (alert) {
    case Alert::high_error_rate:
      return error_ratio(ratio_count());
    case Alert::tool_call_failures:
      return tool_failure_ratio(ratio_count());
    case Alert::p95_latency_high:
      return above ? latency_above(threshold) : latency_below(threshold);
    case Alert::count_:
      break;
  }
  return {};
}

ordered_json input_series(const Scenario& s, std::int64_t samples) {
  ordered_json out = ordered_json::array();
  for (const auto& series : s.series)
    out.push_back({{"series", series.name}, {"values", fmt::format("0+{}x{}", series.per_minute, samples)}});
  return out;
}

ordered_json no_alerts(std::string_view alert, std::int64_t at) {
  return {
      {"eval_time", prometheus_duration(at)}, {"alertname", alert}, {"exp_alerts", ordered_json::array()}};
}

// The alert as promtool should see it firing: its labels and rendered annotations.
ordered_json firing(const Options& o, const telemetry::AlertDef& def, const Scenario& s, std::int64_t at) {
  Labels labels{
      {"severity", std::string{def.severity}},
      {std::string{def.group_label}, def.group_label == label::tool_name ? std::string{kTool} : kProvider}};
  double limit = threshold(o, def.id);
  ordered_json annotations{
      {"summary", render_annotation(telemetry::alert_summary(def.id, limit), labels, s.value)},
      {"description", render_annotation(telemetry::alert_description(def.id), labels, s.value)}};
  if (auto url = runbook_url(o, def); !url.empty()) annotations["runbook_url"] = url;
  ordered_json exp_labels = ordered_json::object();
  for (const auto& [k, v] : labels) exp_labels[k] = v;
  return {{"eval_time", prometheus_duration(at)},
          {"alertname", def.name},
          {"exp_alerts", {{{"exp_labels", exp_labels}, {"exp_annotations", annotations}}}}};
}

}  // namespace

std::string rules_test(const Options& o, std::string_view rules_file) {
  std::int64_t step = kSampleStep;
  for (const auto& def : telemetry::alerts()) step = std::gcd(step, alert_for_seconds(o, def.id));
  ordered_json tests = ordered_json::array();
  for (const auto& def : telemetry::alerts()) {
    if (def.status != telemetry::Status::implemented) continue;
    std::int64_t fires_at = kOnset + alert_for_seconds(o, def.id);
    std::int64_t samples = fires_at / kSampleStep + kExtraMinutes;
    std::int64_t end = samples * kSampleStep;
    double limit = threshold(o, def.id);
    auto above = scenario(def.id, limit, true);
    tests.push_back(
        {{"name", fmt::format("{} fires above {} once it held for {}", def.name,
                              telemetry::promql::number(limit), prometheus_duration(fires_at - kOnset))},
         {"interval", prometheus_duration(kSampleStep)},
         {"input_series", input_series(above, samples)},
         {"alert_rule_test",
          {no_alerts(def.name, fires_at - step), firing(o, def, above, fires_at),
           firing(o, def, above, end)}}});
    auto below = scenario(def.id, limit, false);
    tests.push_back(
        {{"name", fmt::format("{} stays quiet just below {}", def.name, telemetry::promql::number(limit))},
         {"interval", prometheus_duration(kSampleStep)},
         {"input_series", input_series(below, samples)},
         {"alert_rule_test", {no_alerts(def.name, fires_at), no_alerts(def.name, end)}}});
  }
  ordered_json doc{
      {"rule_files", {rules_file}}, {"evaluation_interval", prometheus_duration(step)}, {"tests", tests}};
  return to_yaml(doc);
}

}  // namespace igw::manifests
