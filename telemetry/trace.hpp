// Trace identity and what a finished span carries: W3C trace context (traceparent / tracestate), span
// ids, the sampler, and SpanData, the record handed to the batch processor. No I/O here: the data plane
// includes this.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace igw::telemetry::trace {

struct TraceId {
  std::array<std::uint8_t, 16> bytes{};
  bool valid() const;  // not all zero
  std::string hex() const;
  bool operator==(const TraceId&) const = default;
};

struct SpanId {
  std::array<std::uint8_t, 8> bytes{};
  bool valid() const;
  std::string hex() const;
  bool operator==(const SpanId&) const = default;
};

// Fresh random ids (never all zero), from a per-thread generator.
TraceId new_trace_id();
SpanId new_span_id();

// A caller's span, as its traceparent names it.
struct SpanContext {
  TraceId trace_id;
  SpanId span_id;
  bool sampled = false;
  std::string trace_state;  // kept as given when valid, else dropped
};

// `traceparent: 00-<32 hex>-<16 hex>-<2 hex>` (version 00, or a later version read as 00 would be).
// nullopt when the header is absent or malformed: the request then starts a new trace.
std::optional<SpanContext> parse_traceparent(std::string_view traceparent, std::string_view tracestate = {});
// The traceparent value naming span `span` of trace `trace`.
std::string format_traceparent(const TraceId& trace, const SpanId& span, bool sampled);

// OTEL_TRACES_SAMPLER's samplers.
enum class SamplerKind {
  always_on,
  always_off,
  traceidratio,
  parentbased_always_on,
  parentbased_always_off,
  parentbased_traceidratio,
};

struct Sampler {
  SamplerKind kind = SamplerKind::parentbased_always_on;
  double ratio = 1.0;  // traceidratio kinds only, 0..1

  // Whether a new root or a continued trace is recorded and exported.
  bool should_sample(const std::optional<SpanContext>& parent, const TraceId& trace) const;
};

// The sampler OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG name. Error: what was wrong, one line.
std::expected<Sampler, std::string> make_sampler(std::string_view name, std::string_view arg);

enum class SpanKind : std::uint8_t { internal = 1, server = 2, client = 3 };
enum class StatusCode : std::uint8_t { unset = 0, ok = 1, error = 2 };

using AttributeValue = std::variant<std::string, std::int64_t, double, bool>;
struct Attribute {
  std::string_view key;  // a constant of trace_attributes (static storage)
  AttributeValue value;
};

struct SpanData {
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;  // invalid (zero) for a root span
  bool parent_remote = false;  // the parent came from another process (an inbound traceparent)
  std::string trace_state;
  bool sampled = true;
  std::string name;
  SpanKind kind = SpanKind::internal;
  std::uint64_t start_unix_ns = 0;
  std::uint64_t end_unix_ns = 0;
  std::vector<Attribute> attributes;
  StatusCode status = StatusCode::unset;
  std::string status_message;
};

std::uint64_t unix_now_ns();

// The attribute keys igw sets (OpenTelemetry semantic conventions, GenAI included).
namespace attr {
inline constexpr std::string_view http_request_method = "http.request.method";
inline constexpr std::string_view http_route = "http.route";
inline constexpr std::string_view http_response_status_code = "http.response.status_code";
inline constexpr std::string_view url_path = "url.path";
inline constexpr std::string_view url_full = "url.full";
inline constexpr std::string_view server_address = "server.address";
inline constexpr std::string_view server_port = "server.port";
inline constexpr std::string_view error_type = "error.type";
inline constexpr std::string_view request_id = "request_id";
inline constexpr std::string_view enduser_id = "enduser.id";
inline constexpr std::string_view gen_ai_operation_name = "gen_ai.operation.name";
inline constexpr std::string_view gen_ai_provider_name = "gen_ai.provider.name";
inline constexpr std::string_view gen_ai_request_model = "gen_ai.request.model";
inline constexpr std::string_view gen_ai_usage_input_tokens = "gen_ai.usage.input_tokens";
inline constexpr std::string_view gen_ai_usage_output_tokens = "gen_ai.usage.output_tokens";
inline constexpr std::string_view gen_ai_tool_name = "gen_ai.tool.name";
inline constexpr std::string_view gen_ai_tool_type = "gen_ai.tool.type";
inline constexpr std::string_view gen_ai_tool_call_id = "gen_ai.tool.call.id";
}  // namespace attr

}  // namespace igw::telemetry::trace
