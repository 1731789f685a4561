// What gets computed from the catalog's metrics: the page's example queries, its three alerts and its
// dashboard panels (plus igw's extra panels). Every expression is built from catalog entries, so
// `igw gen`, `igw metrics top` and the e2e tests all read one definition.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/catalog.hpp"

namespace igw::telemetry {

// Quantities that alerts, panels and `metrics top` show. Each has one PromQL definition below and one
// local computation in `metrics top`.
enum class Signal {
  requests_per_second,  // by provider
  error_ratio,          // 5xx share of responses, by provider
  latency_quantile,     // ms, by provider
  tokens_per_minute,    // by model
  tool_success_ratio,   // by tool_name
  tool_failure_ratio,   // by tool_name
};

// Windows of the rate() calls: the page uses 1m for per-second/per-minute panels and 5m elsewhere;
// Grafana dashboards pass $__rate_interval for both.
struct Windows {
  std::string_view short_window = "1m";
  std::string_view long_window = "5m";
};

std::string requests_per_second(std::string_view window);
std::string error_ratio(std::string_view window);
std::string latency_quantile(double q, std::string_view window, bool multiline = false);
std::string tokens_per_minute(std::string_view window);
std::string tool_success_ratio(std::string_view window);
std::string tool_failure_ratio(std::string_view window);

struct NamedQuery {
  std::string title;
  std::string expr;
};
// The page's "Example queries (PromQL)", in its order and with its windows.
std::vector<NamedQuery> page_example_queries();

enum class Alert { high_error_rate, p95_latency_high, tool_call_failures, count_ };

struct AlertDef {
  Alert id;
  std::string_view name;
  Signal signal;
  std::string_view group_label;  // the label each alert instance is per
  double threshold;              // default; `igw gen` flags override it
  std::string_view threshold_unit;  // "ratio" or "ms"
  std::string_view for_duration;
  std::string_view severity;
  Status status = Status::implemented;  // planned alerts are never generated
};

// Every alert; generators emit only the implemented ones.
std::span<const AlertDef> alerts();
const AlertDef& alert(Alert id);
// The alert's expression without the comparison (what a panel or a test query shows).
std::string alert_signal_expr(Alert id);
// The full alert expression, `signal > threshold`, as the page writes it.
std::string alert_expr(Alert id, double threshold);
// Annotations. The summary names the threshold, so it follows the flag.
std::string alert_summary(Alert id, double threshold);
std::string alert_description(Alert id);

struct PanelTarget {
  std::string expr;
  std::string legend;  // Grafana legend format, e.g. "{{provider}}"
};

struct PanelDef {
  std::string title;
  std::string unit;  // Grafana unit id: reqps, percentunit, ms, s, short
  std::vector<PanelTarget> targets;
  Source source;  // the page's panel table, or an igw extra
  std::string description;
};

// The dashboard's panels; a panel on a planned metric is left out until the metric is implemented.
std::vector<PanelDef> panels(const Windows& windows = {});

// Every metric name an expression refers to (for tests that walk the generated PromQL).
std::vector<std::string> referenced_metric_names(std::string_view expr);
// True when every catalog metric the expression refers to is implemented.
bool refers_to_implemented_metrics(std::string_view expr);

// The expression with `label op "value"` added to every selector of a catalog metric that has that label
// (histogram series included); other selectors are left alone. Dashboards use it to apply their
// template variables: with_label_matcher(expr, label::provider, "=~", "$provider").
std::string with_label_matcher(std::string_view expr, std::string_view label, std::string_view op,
                               std::string_view value);

}  // namespace igw::telemetry
