#include "telemetry/catalog.hpp"

namespace igw::telemetry {
namespace {

using L = std::string_view;

// The page's histogram bucket boundaries, in milliseconds.
constexpr std::array<double, 15> kPageMsBuckets{1, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000};
// Time to first token, in seconds: from a fast local model to a slow reasoning model.
constexpr std::array<double, 14> kTtftBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60};
// Time spent inside igw itself, in seconds: microsecond range.
constexpr std::array<double, 14> kOverheadBuckets{0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005,
                                                  0.001,    0.0025,  0.005,    0.01,    0.025,   0.05,    0.1};

constexpr std::array<L, 2> kProviderModel{label::provider, label::model};
constexpr std::array<L, 2> kProviderRequestType{label::provider, label::request_type};
constexpr std::array<L, 4> kResponseLabels{label::provider, label::request_method, label::request_path,
                                           label::status_code};
constexpr std::array<L, 3> kDurationLabels{label::provider, label::request_method, label::request_path};
constexpr std::array<L, 4> kToolLabels{label::provider, label::model, label::tool_type, label::tool_name};
constexpr std::array<L, 5> kToolFailureLabels{label::provider, label::model, label::tool_type, label::tool_name,
                                              label::error_type};
constexpr std::array<L, 3> kTargetInfoLabels{label::service_name, label::service_version,
                                             label::deployment_environment};
constexpr std::array<L, 1> kProvider{label::provider};
constexpr std::array<L, 2> kProviderReason{label::provider, label::reason};
constexpr std::array<L, 3> kBuildInfoLabels{label::version, label::revision, label::compiler};
constexpr std::array<L, 1> kReason{label::reason};
constexpr std::array<L, 2> kToolServer{label::tool_type, label::server};
constexpr std::array<L, 1> kLabelName{label::label_name};
constexpr std::array<L, 1> kWhere{label::where};
constexpr std::array<L, 1> kOutcome{label::outcome};

using enum MetricType;
using enum Source;
using enum Status;

constexpr std::array<MetricDef, kMetricCount> kMetrics{{
    // clang-format off
    {Metric::usage_prompt_tokens, "llm_usage_prompt_tokens", counter, "tokens", kProviderModel, {},
     "Number of prompt tokens consumed per provider/model.", page},
    {Metric::usage_completion_tokens, "llm_usage_completion_tokens", counter, "tokens", kProviderModel, {},
     "Number of completion tokens generated per provider/model.", page},
    {Metric::usage_total_tokens, "llm_usage_total_tokens", counter, "tokens", kProviderModel, {},
     "Total tokens (prompt + completion) per provider/model.", page},
    {Metric::requests_total, "llm_requests_total", counter, "requests", kProviderRequestType, {},
     "Total number of requests processed by the gateway.", page},
    {Metric::responses_total, "llm_responses_total", counter, "responses", kResponseLabels, {},
     "Total responses bucketed by HTTP status code.", page},
    {Metric::request_duration, "llm_request_duration", histogram, "ms", kDurationLabels, kPageMsBuckets,
     "End-to-end request duration in milliseconds.", page},
    {Metric::tool_calls_total, "llm_tool_calls_total", counter, "calls", kToolLabels, {},
     "Total number of tool/function calls executed.", page},
    {Metric::tool_calls_success_total, "llm_tool_calls_success_total", counter, "calls", kToolLabels, {},
     "Successful tool/function calls.", page},
    {Metric::tool_calls_failure_total, "llm_tool_calls_failure_total", counter, "calls", kToolFailureLabels, {},
     "Failed tool/function calls bucketed by error reason.", page},
    {Metric::tool_call_duration, "llm_tool_call_duration", histogram, "ms", kToolLabels, kPageMsBuckets,
     "Per-call duration of tool/function invocation.", page},
    {Metric::target_info, "target_info", gauge, "1", kTargetInfoLabels, {},
     "Service attributes of this gateway (service.name, service.version, deployment.environment); always 1.", page},
    {Metric::time_to_first_token, "igw_time_to_first_token_seconds", histogram, "seconds", kProviderModel, kTtftBuckets,
     "Time from receiving a streaming request to relaying its first upstream event.", igw},
    {Metric::requests_in_flight, "igw_requests_in_flight", gauge, "requests", kProvider, {},
     "Requests currently being served, streams included.", igw},
    {Metric::gateway_overhead, "igw_gateway_overhead_seconds", histogram, "seconds", kProvider, kOverheadBuckets,
     "Time a request spent in igw itself, excluding waits on the upstream and on the client.", igw},
    {Metric::upstream_errors_total, "igw_upstream_errors_total", counter, "errors", kProviderReason, {},
     "Upstream calls that failed, by normalized reason (connect, tls, timeout, reset, status_4xx, status_5xx, "
     "protocol).", igw},
    {Metric::client_disconnects_total, "igw_client_disconnects_total", counter, "disconnects", kProvider, {},
     "Clients that disconnected before their response was complete (the upstream call is cancelled).", igw},
    {Metric::build_info, "igw_build_info", gauge, "1", kBuildInfoLabels, {},
     "Build of the running igw; always 1.", igw},
    {Metric::spans_dropped_total, "igw_spans_dropped_total", counter, "spans", kReason, {},
     "Trace spans dropped instead of exported, by reason (queue_full, export_failed, shutdown).", igw},
    {Metric::trace_exports_total, "igw_trace_exports_total", counter, "exports", kOutcome, {},
     "OTLP trace export requests sent to the collector, by outcome (success, failure).", igw},
    {Metric::label_values_capped_total, "igw_label_values_capped_total", counter, "observations", kLabelName, {},
     "Observations whose client-supplied label value was folded into \"other\" by the cardinality cap.", igw},
    {Metric::internal_errors_total, "igw_internal_errors_total", counter, "errors", kWhere, {},
     "Unexpected exceptions caught on the data plane, by where they were caught (each is also logged).", igw},
    {Metric::auth_keys_loaded, "igw_auth_keys_loaded", gauge, "1", {}, {},
     "1 when the OIDC issuer's signing keys are loaded and bearer tokens can be verified; 0 while igw waits "
     "for the issuer (protected routes answer 503). Present only with AUTH_ENABLE=true.", igw},
    {Metric::tool_server_up, "igw_tool_server_up", gauge, "1", kToolServer, {},
     "1 while an MCP server (tool_type=\"mcp\") or A2A agent (\"a2a\") is connected and its tools are offered, "
     "0 while it is down and retried in the background; server is its configured URL.", igw},
    {Metric::auth_failures_total, "igw_auth_failures_total", counter, "requests", kReason, {},
     "Requests refused by bearer-token auth, by reason (missing_token, expired, bad_signature, "
     "keys_unavailable, ...).", igw},
    {Metric::process_cpu_seconds_total, "process_cpu_seconds_total", counter, "seconds", {}, {},
     "Total user and system CPU time spent in seconds.", igw},
    {Metric::process_resident_memory_bytes, "process_resident_memory_bytes", gauge, "bytes", {}, {},
     "Resident memory size in bytes.", igw},
    {Metric::process_open_fds, "process_open_fds", gauge, "fds", {}, {},
     "Number of open file descriptors.", igw},
    {Metric::process_start_time_seconds, "process_start_time_seconds", gauge, "seconds", {}, {},
     "Start time of the process since the Unix epoch in seconds.", igw},
    // clang-format on
}};

constexpr bool catalog_is_indexed_by_id() {
  for (std::size_t i = 0; i < kMetrics.size(); ++i)
    if (static_cast<std::size_t>(kMetrics[i].id) != i) return false;
  return true;
}
static_assert(catalog_is_indexed_by_id(), "kMetrics must list metrics in the order of enum Metric");

}  // namespace

std::string_view to_string(MetricType type) {
  switch (type) {
    case MetricType::counter: return "counter";
    case MetricType::gauge: return "gauge";
    case MetricType::histogram: return "histogram";
  }
  return "untyped";
}

std::string_view to_string(Source source) { return source == Source::page ? "page" : "igw"; }

std::string_view to_string(Status status) { return status == Status::planned ? "planned" : "implemented"; }

bool implemented(Metric id) { return metric(id).status == Status::implemented; }

std::span<const MetricDef> metrics() { return kMetrics; }

const MetricDef& metric(Metric id) { return kMetrics[static_cast<std::size_t>(id)]; }

std::optional<Metric> find_metric(std::string_view name) {
  for (const auto& m : kMetrics)
    if (m.name == name) return m.id;
  return std::nullopt;
}

}  // namespace igw::telemetry
