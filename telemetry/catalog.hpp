// The metric catalog: every metric igw exports, as data. The observability page's tables are
// transcribed here once; the registry, `igw gen`, `igw metrics list` and the docs all read this table,
// so a metric name, label, unit or bucket list is written nowhere else. A metric is implemented (the
// gateway records it) or planned (listed so the page's contract is visible, but never registered,
// exported or used by a generated dashboard or alert).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace igw::telemetry {

enum class MetricType { counter, gauge, histogram };
// Where a metric is defined: the observability page (a contract) or igw itself (an extra).
enum class Source { page, igw };
enum class Status { implemented, planned };

std::string_view to_string(MetricType type);
std::string_view to_string(Source source);
std::string_view to_string(Status status);

// Label names. Each is spelled once, here.
namespace label {
inline constexpr std::string_view provider = "provider";
inline constexpr std::string_view model = "model";
inline constexpr std::string_view request_type = "request_type";
inline constexpr std::string_view request_method = "request_method";
inline constexpr std::string_view request_path = "request_path";
inline constexpr std::string_view status_code = "status_code";
inline constexpr std::string_view tool_type = "tool_type";
inline constexpr std::string_view tool_name = "tool_name";
inline constexpr std::string_view server = "server";
inline constexpr std::string_view error_type = "error_type";
inline constexpr std::string_view reason = "reason";
inline constexpr std::string_view service_name = "service_name";
inline constexpr std::string_view service_version = "service_version";
inline constexpr std::string_view deployment_environment = "deployment_environment";
inline constexpr std::string_view version = "version";
inline constexpr std::string_view revision = "revision";
inline constexpr std::string_view compiler = "compiler";
inline constexpr std::string_view label_name = "label";
inline constexpr std::string_view where = "where";
inline constexpr std::string_view outcome = "outcome";
inline constexpr std::string_view le = "le";  // histogram bucket bound, added by the exposition
}  // namespace label

// Values of the tool_type label (the page: "mcp, a2a, function").
namespace tool_type {
inline constexpr std::string_view mcp = "mcp";
inline constexpr std::string_view a2a = "a2a";
inline constexpr std::string_view function = "function";
}  // namespace tool_type

// Values of the error_type label of failed tool calls that igw itself classifies.
namespace tool_error {
inline constexpr std::string_view unknown_tool = "unknown_tool";            // the model called a tool not offered
inline constexpr std::string_view invalid_arguments = "invalid_arguments";  // arguments are not valid JSON
// Calls the gateway runs itself (MCP, A2A):
inline constexpr std::string_view timeout = "timeout";          // no answer within the time limit
inline constexpr std::string_view connect = "connect";          // the server could not be reached (TCP, TLS)
inline constexpr std::string_view protocol = "protocol";        // an answer that is not the protocol's shape
inline constexpr std::string_view http_status = "http_status";  // the server answered with an HTTP error status
inline constexpr std::string_view rpc_error = "rpc_error";      // a JSON-RPC error other than the ones below
inline constexpr std::string_view not_found = "not_found";      // the server does not know the tool
inline constexpr std::string_view tool_error = "tool_error";    // the tool ran and reported an error
inline constexpr std::string_view unavailable = "unavailable";  // the server is down (not connected)
}  // namespace tool_error

// Values of the request_type label: which API a request used.
namespace request_type {
inline constexpr std::string_view chat_completions = "chat_completions";
inline constexpr std::string_view models = "models";
inline constexpr std::string_view proxy = "proxy";
inline constexpr std::string_view messages = "messages";
inline constexpr std::string_view responses = "responses";
inline constexpr std::string_view mcp_tools = "mcp_tools";
}  // namespace request_type

// The value a capped label folds its excess values into, and the provider of unresolvable requests.
inline constexpr std::string_view kOtherLabelValue = "other";
inline constexpr std::string_view kUnknownProvider = "unknown";

enum class Metric : std::size_t {
  // The page: token usage.
  usage_prompt_tokens,
  usage_completion_tokens,
  usage_total_tokens,
  // The page: requests and responses.
  requests_total,
  responses_total,
  request_duration,
  // The page: tool / function calls.
  tool_calls_total,
  tool_calls_success_total,
  tool_calls_failure_total,
  tool_call_duration,
  // The page: service attributes (OpenTelemetry's target_info).
  target_info,
  // igw extras.
  time_to_first_token,
  requests_in_flight,
  gateway_overhead,
  upstream_errors_total,
  client_disconnects_total,
  build_info,
  spans_dropped_total,
  trace_exports_total,
  label_values_capped_total,
  internal_errors_total,
  auth_keys_loaded,
  tool_server_up,
  auth_failures_total,
  // Process metrics under their conventional names.
  process_cpu_seconds_total,
  process_resident_memory_bytes,
  process_open_fds,
  process_start_time_seconds,
  count_
};

inline constexpr std::size_t kMetricCount = static_cast<std::size_t>(Metric::count_);

struct MetricDef {
  Metric id;
  std::string_view name;
  MetricType type;
  std::string_view unit;  // "ms", "seconds", "bytes", "tokens", "requests", "1" ...
  std::span<const std::string_view> labels;
  std::span<const double> buckets;  // histograms only, ascending, without +Inf
  std::string_view help;
  Source source;
  Status status = Status::implemented;
};

// The whole catalog, indexed by Metric.
std::span<const MetricDef> metrics();
const MetricDef& metric(Metric id);
std::optional<Metric> find_metric(std::string_view name);
bool implemented(Metric id);

// Values of the `where` label of internal_errors_total: the place an unexpected exception was caught.
namespace internal_error {
inline constexpr std::string_view handler = "handler";  // a route handler threw; the client got a 500
inline constexpr std::string_view relay = "relay";      // a stream relay threw; the stream was cut
}  // namespace internal_error

// Values of the `reason` label of spans_dropped_total.
namespace span_drop {
inline constexpr std::string_view queue_full = "queue_full";        // the batch queue was full when the span ended
inline constexpr std::string_view export_failed = "export_failed";  // the collector refused or was unreachable
inline constexpr std::string_view shutdown = "shutdown";            // still queued when the drain time ran out
}  // namespace span_drop

// Values of the `outcome` label of trace_exports_total.
namespace export_outcome {
inline constexpr std::string_view success = "success";
inline constexpr std::string_view failure = "failure";
}  // namespace export_outcome

// Suffixes of the series a histogram family exposes.
inline constexpr std::string_view kBucketSuffix = "_bucket";
inline constexpr std::string_view kSumSuffix = "_sum";
inline constexpr std::string_view kCountSuffix = "_count";

}  // namespace igw::telemetry
