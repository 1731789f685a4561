// `igw metrics top`: the on-call view computed from the metric catalog. From two scrapes of one or more
// gateways (replicas are summed), or from a Prometheus server's instant queries, it builds one row per
// provider, model or tool: requests/s, 5xx %, latency quantiles, tokens/min, tool success %, in flight and
// the streams' TTFT p95, with the catalog's alerts whose thresholds a row breaches. Rates come from counter
// increases with resets handled like rate(); quantiles from bucket increases like histogram_quantile().
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/exposition.hpp"

namespace igw::ops::top {

enum class By { provider, model, tool };
std::string_view to_string(By by);

// One scrape of one target.
struct Scrape {
  std::chrono::steady_clock::time_point at;
  telemetry::exposition::Exposition data;
};

struct Row {
  std::string key;
  std::optional<double> rps;               // requests/s (tool view: calls/s)
  std::optional<double> error_pct;         // 5xx share of responses, %
  std::optional<double> p50_ms, p95_ms, p99_ms;  // request latency (tool view: call duration)
  std::optional<double> tokens_per_min;
  std::optional<double> tool_success_pct;
  std::optional<double> in_flight;
  std::optional<double> ttft_p95_ms;       // streams' time to first token
  std::vector<std::string> alerts;         // catalog alerts whose threshold this row breaches
};

struct View {
  std::string source;  // the target URL(s) or the Prometheus URL
  double window_s = 0;
  By by = By::provider;
  std::vector<Row> rows;  // sorted by key
  Row totals;             // key "total"
};

// The view between two scrapes of each target (before[i] and after[i] are the same target).
View compute(const std::vector<Scrape>& before, const std::vector<Scrape>& after, By by);

// Sorting: by a column (its name as in the JSON: key, rps, error_pct, p50_ms, ...), rows without a value
// last; descending for numbers, ascending for the key; `reverse` flips it.
inline const std::vector<std::string_view> kColumns{"key", "rps", "error_pct", "p50_ms", "p95_ms", "p99_ms",
                                                    "tokens_per_min", "tool_success_pct", "in_flight", "ttft_p95_ms"};
void sort_rows(std::vector<Row>& rows, std::string_view column, bool reverse);
// Rows whose key contains `filter` (case-insensitive); all when it is empty.
std::vector<Row> filter_rows(const std::vector<Row>& rows, std::string_view filter);

// {"source":..,"window_s":..,"by":..,"rows":[{...}],"totals":{...}}, null where there were no samples.
std::string to_json(const View& view);
// A plain table: a header line (source, window, totals), the column heads, one line per row; rows with
// alerts marked with '!' (and, when `color`, in red), the sorted column's head marked.
std::string to_table(const View& view, bool color, std::string_view sort_column = "key", std::size_t width = 0);

// The view from a Prometheus server: instant queries over `window` (e.g. "1m") built from the catalog,
// restricted by `selector` (label matchers like `namespace="x"`, with or without braces). Error: one line.
struct PrometheusQuery {
  std::string url;       // http://prometheus:9090
  std::string selector;  // may be empty
  std::string window = "1m";
  By by = By::provider;
  std::chrono::milliseconds timeout{5000};
};
std::expected<View, std::string> query_prometheus(const PrometheusQuery& q);

}  // namespace igw::ops::top
