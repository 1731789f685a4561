#include "telemetry/queries.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "telemetry/promql.hpp"

namespace igw::telemetry {
namespace {

using promql::Matcher;
using promql::rate;
using promql::selector;
using promql::sum_by;

// Status codes counted as errors by the page's queries.
constexpr Matcher kServerError{label::status_code, "=~", "5.."};
// The alert rules' windows (the page: 5m for errors and latency, 10m for tool calls).
constexpr std::string_view kAlertWindow = "5m";
constexpr std::string_view kToolAlertWindow = "10m";
constexpr double kP95 = 0.95;

constexpr std::array<AlertDef, 3> kAlerts{{
    {Alert::high_error_rate, "InferenceGatewayHighErrorRate", Signal::error_ratio, label::provider, 0.05, "ratio",
     "10m", "warning"},
    {Alert::p95_latency_high, "InferenceGatewayP95LatencyHigh", Signal::latency_quantile, label::provider, 5000, "ms",
     "10m", "warning"},
    {Alert::tool_call_failures, "InferenceGatewayToolCallFailures", Signal::tool_failure_ratio, label::tool_name, 0.1,
     "ratio", "15m", "warning"},
}};

std::string label_template(std::string_view name) { return fmt::format("{{{{ $labels.{} }}}}", name); }
std::string legend(std::string_view name) { return fmt::format("{{{{{}}}}}", name); }

// 0.05 -> "5", 0.125 -> "12.5".
std::string percent(double ratio) { return promql::number(ratio * 100); }

// 5000 -> "5s", 1500 -> "1.5s", 250 -> "250ms".
std::string milliseconds_text(double ms) {
  if (ms >= 1000) return promql::number(ms / 1000) + "s";
  return promql::number(ms) + "ms";
}

}  // namespace

std::string requests_per_second(std::string_view window) {
  return sum_by({label::provider}, rate(selector(Metric::requests_total), window));
}

std::string error_ratio(std::string_view window) {
  return promql::ratio(sum_by({label::provider}, rate(selector(Metric::responses_total, {}, {kServerError}), window)),
                       sum_by({label::provider}, rate(selector(Metric::responses_total), window)));
}

std::string latency_quantile(double q, std::string_view window, bool multiline) {
  return promql::histogram_quantile(
      q, sum_by({label::le, label::provider}, rate(selector(Metric::request_duration, kBucketSuffix), window)),
      multiline);
}

std::string tokens_per_minute(std::string_view window) {
  return sum_by({label::model}, rate(selector(Metric::usage_total_tokens), window)) + " * 60";
}

std::string tool_success_ratio(std::string_view window) {
  return promql::ratio(sum_by({label::tool_name}, rate(selector(Metric::tool_calls_success_total), window)),
                       sum_by({label::tool_name}, rate(selector(Metric::tool_calls_total), window)));
}

std::string tool_failure_ratio(std::string_view window) {
  return promql::ratio(sum_by({label::tool_name}, rate(selector(Metric::tool_calls_failure_total), window)),
                       sum_by({label::tool_name}, rate(selector(Metric::tool_calls_total), window)));
}

std::vector<NamedQuery> page_example_queries() {
  const Windows page;
  return {
      {"Requests per second by provider", requests_per_second(page.long_window)},
      {"p95 end-to-end request latency", latency_quantile(kP95, page.long_window)},
      {"Error rate (5xx) per provider", error_ratio(page.long_window)},
      {"Tool-call failure ratio per tool", tool_failure_ratio(page.long_window)},
      {"Tokens per minute (prompt + completion) per model", tokens_per_minute(page.short_window)},
  };
}

std::span<const AlertDef> alerts() { return kAlerts; }

const AlertDef& alert(Alert id) { return kAlerts[static_cast<std::size_t>(id)]; }

std::string alert_signal_expr(Alert id) {
  switch (id) {
    case Alert::high_error_rate: return error_ratio(kAlertWindow);
    case Alert::p95_latency_high: return latency_quantile(kP95, kAlertWindow, true);
    case Alert::tool_call_failures: return tool_failure_ratio(kToolAlertWindow);
    case Alert::count_: break;
  }
  return {};
}

std::string alert_expr(Alert id, double threshold) {
  return fmt::format("{} > {}", alert_signal_expr(id), promql::number(threshold));
}

std::string alert_summary(Alert id, double threshold) {
  switch (id) {
    case Alert::high_error_rate:
      return fmt::format("Inference Gateway 5xx rate above {}% for {}", percent(threshold),
                         label_template(label::provider));
    case Alert::p95_latency_high:
      return fmt::format("p95 request duration > {} for {}", milliseconds_text(threshold),
                         label_template(label::provider));
    case Alert::tool_call_failures:
      return fmt::format("Tool {} failing > {}% of calls", label_template(label::tool_name), percent(threshold));
    case Alert::count_: break;
  }
  return {};
}

std::string alert_description(Alert id) {
  switch (id) {
    case Alert::high_error_rate:
      return fmt::format("{{{{ $value | humanizePercentage }}}} of responses for provider {} are 5xx.",
                         label_template(label::provider));
    case Alert::p95_latency_high:
      return fmt::format("The p95 end-to-end request duration for provider {} is {{{{ $value | humanize }}}} ms.",
                         label_template(label::provider));
    case Alert::tool_call_failures:
      return fmt::format("{{{{ $value | humanizePercentage }}}} of calls to tool {} failed over the last {}.",
                         label_template(label::tool_name), kToolAlertWindow);
    case Alert::count_: break;
  }
  return {};
}

std::vector<PanelDef> panels(const Windows& w) {
  using enum Source;
  std::vector<PanelDef> out;
  out.push_back({"Requests/sec by provider", "reqps", {{requests_per_second(w.short_window), legend(label::provider)}},
                 page, "Requests the gateway processed per second, per provider."});
  out.push_back({"Error rate by provider", "percentunit", {{error_ratio(w.long_window), legend(label::provider)}}, page,
                 "Share of responses with a 5xx status code, per provider."});
  out.push_back({"p50 / p95 / p99 latency",
                 "ms",
                 {{latency_quantile(0.5, w.long_window), "p50 " + legend(label::provider)},
                  {latency_quantile(kP95, w.long_window), "p95 " + legend(label::provider)},
                  {latency_quantile(0.99, w.long_window), "p99 " + legend(label::provider)}},
                 page,
                 "End-to-end request duration quantiles, per provider."});
  out.push_back({"Tokens/min by model", "short", {{tokens_per_minute(w.short_window), legend(label::model)}}, page,
                 "Prompt plus completion tokens per minute, per model."});
  out.push_back({"Tool-call success rate", "percentunit", {{tool_success_ratio(w.long_window), legend(label::tool_name)}},
                 page, "Share of tool calls that succeeded, per tool."});

  out.push_back({"Time to first token p95 by provider",
                 "s",
                 {{promql::histogram_quantile(
                       kP95, sum_by({label::le, label::provider},
                                    rate(selector(Metric::time_to_first_token, kBucketSuffix), w.long_window))),
                   legend(label::provider)}},
                 igw,
                 "How long streaming clients wait for their first token."});
  out.push_back({"In-flight requests by provider",
                 "short",
                 {{sum_by({label::provider}, selector(Metric::requests_in_flight)), legend(label::provider)}},
                 igw,
                 "Requests being served right now, streams included."});
  out.push_back({"Gateway overhead p50 / p99",
                 "s",
                 {{promql::histogram_quantile(0.5, sum_by({label::le}, rate(selector(Metric::gateway_overhead,
                                                                                     kBucketSuffix),
                                                                            w.long_window))),
                   "p50"},
                  {promql::histogram_quantile(0.99, sum_by({label::le}, rate(selector(Metric::gateway_overhead,
                                                                                      kBucketSuffix),
                                                                             w.long_window))),
                   "p99"}},
                 igw,
                 "Time spent in igw itself, excluding waits on the upstream and on the client."});
  out.push_back({"Upstream errors by reason",
                 "reqps",
                 {{sum_by({label::provider, label::reason}, rate(selector(Metric::upstream_errors_total), w.long_window)),
                   legend(label::provider) + " " + legend(label::reason)}},
                 igw,
                 "Failed upstream calls per second, by normalized reason."});
  out.push_back({"Client disconnects by provider",
                 "reqps",
                 {{sum_by({label::provider}, rate(selector(Metric::client_disconnects_total), w.long_window)),
                   legend(label::provider)}},
                 igw,
                 "Clients that went away mid-response; their upstream calls were cancelled."});
  std::erase_if(out, [](const PanelDef& p) {
    return std::ranges::any_of(p.targets, [](const auto& t) { return !refers_to_implemented_metrics(t.expr); });
  });
  return out;
}

std::vector<std::string> referenced_metric_names(std::string_view expr) {
  // Keywords and aggregation operators (which may be followed by `by (...)` instead of a parenthesis).
  static constexpr std::array<std::string_view, 24> kKeywords{
      "by",     "without", "on",       "ignoring", "group_left", "group_right", "bool",   "and",
      "or",     "unless",  "offset",   "inf",      "nan",        "sum",         "min",    "max",
      "avg",    "group",   "stddev",   "stdvar",   "count",      "count_values", "bottomk", "topk"};
  std::vector<std::string> names;
  auto is_ident_start = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; };
  auto is_ident = [&](char c) { return is_ident_start(c) || std::isdigit(static_cast<unsigned char>(c)); };
  bool skip_next_group = false;  // the label list after `by`/`without`
  for (std::size_t i = 0; i < expr.size();) {
    char c = expr[i];
    if (c == '"' || c == '\'') {  // string literal
      std::size_t j = i + 1;
      while (j < expr.size() && expr[j] != c) j += expr[j] == '\\' ? 2 : 1;
      i = j + 1;
    } else if (c == '{' || c == '[') {  // matchers or range
      char close = c == '{' ? '}' : ']';
      while (i < expr.size() && expr[i] != close) {
        if (expr[i] == '"') {
          ++i;
          while (i < expr.size() && expr[i] != '"') i += expr[i] == '\\' ? 2 : 1;
        }
        ++i;
      }
      ++i;
    } else if (c == '(' && skip_next_group) {
      while (i < expr.size() && expr[i] != ')') ++i;
      ++i;
      skip_next_group = false;
    } else if (c == '$') {  // dashboard variable
      ++i;
      while (i < expr.size() && is_ident(expr[i])) ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      while (i < expr.size() && (is_ident(expr[i]) || expr[i] == '.')) ++i;
    } else if (is_ident_start(c)) {
      std::size_t j = i;
      while (j < expr.size() && is_ident(expr[j])) ++j;
      std::string_view word = expr.substr(i, j - i);
      std::size_t k = j;
      while (k < expr.size() && expr[k] == ' ') ++k;
      bool is_call = k < expr.size() && expr[k] == '(';
      bool keyword = false;
      for (auto kw : kKeywords) keyword = keyword || kw == word;
      if (word == "by" || word == "without" || word == "on" || word == "ignoring") skip_next_group = true;
      if (!keyword && !is_call) names.emplace_back(word);
      i = j;
    } else {
      ++i;
    }
  }
  return names;
}

namespace {

// The catalog metric a series name belongs to: the name itself, or a histogram's _bucket/_sum/_count.
const MetricDef* series_metric(std::string_view series) {
  if (auto m = find_metric(series)) return &metric(*m);
  for (auto suffix : {kBucketSuffix, kSumSuffix, kCountSuffix}) {
    if (!series.ends_with(suffix)) continue;
    auto m = find_metric(series.substr(0, series.size() - suffix.size()));
    if (m && metric(*m).type == MetricType::histogram) return &metric(*m);
  }
  return nullptr;
}

}  // namespace

bool refers_to_implemented_metrics(std::string_view expr) {
  for (const auto& name : referenced_metric_names(expr)) {
    const MetricDef* m = series_metric(name);
    if (m && m->status != Status::implemented) return false;
  }
  return true;
}

namespace {

bool has_label(const MetricDef& m, std::string_view label) {
  for (auto l : m.labels)
    if (l == label) return true;
  return false;
}

std::size_t skip_quoted(std::string_view expr, std::size_t i) {
  char quote = expr[i++];
  while (i < expr.size() && expr[i] != quote) i += expr[i] == '\\' ? 2 : 1;
  return std::min(i + 1, expr.size());
}

// The end of the string, range or matcher list starting at expr[i].
std::size_t group_end(std::string_view expr, std::size_t i) {
  if (expr[i] == '"' || expr[i] == '\'') return skip_quoted(expr, i);
  char close = expr[i] == '[' ? ']' : '}';
  while (++i < expr.size() && expr[i] != close)
    if (expr[i] == '"') i = skip_quoted(expr, i) - 1;
  return std::min(i + 1, expr.size());
}

}  // namespace

std::string with_label_matcher(std::string_view expr, std::string_view label, std::string_view op,
                               std::string_view value) {
  auto is_ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':'; };
  std::string matcher = fmt::format("{}{}\"{}\"", label, op, value);
  std::string out;
  for (std::size_t i = 0; i < expr.size();) {
    char c = expr[i];
    if (c == '"' || c == '\'' || c == '[' || c == '{') {  // strings, ranges and matcher lists are copied
      std::size_t j = group_end(expr, i);
      out.append(expr.substr(i, j - i));
      i = j;
    } else if (is_ident(c) && !std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t j = i;
      while (j < expr.size() && is_ident(expr[j])) ++j;
      std::string_view word = expr.substr(i, j - i);
      out.append(word);
      const MetricDef* m = series_metric(word);
      if (m && has_label(*m, label)) {
        if (j < expr.size() && expr[j] == '{') {
          bool empty = j + 1 < expr.size() && expr[j + 1] == '}';
          out += '{' + matcher + (empty ? "" : ",");
          ++j;
        } else {
          out += '{' + matcher + '}';
        }
      }
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t j = i;
      while (j < expr.size() && (is_ident(expr[j]) || expr[j] == '.')) ++j;
      out.append(expr.substr(i, j - i));
      i = j;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

}  // namespace igw::telemetry
