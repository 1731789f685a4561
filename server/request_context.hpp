// Everything known about one request as it goes: who it is for, what happened upstream, what came back.
// At the end (every path: success, error, cancelled stream) finish() reports it once to the recorder and
// writes the access log line.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/response_observer.hpp"
#include "telemetry/recorder.hpp"
#include "telemetry/trace.hpp"

namespace igw::telemetry {
class Tracer;
}

namespace igw::server {

using Clock = std::chrono::steady_clock;

// A request's place in a trace (tracing on only): its server span, the caller's span it continues, and
// the client span of its upstream call.
struct RequestTrace {
  telemetry::Tracer* tracer = nullptr;  // null: tracing off, nothing below is set
  bool sampled = false;                 // its spans are exported
  telemetry::trace::TraceId trace_id;
  telemetry::trace::SpanId span_id;    // the server span
  telemetry::trace::SpanId parent_id;  // the caller's span (inbound traceparent); invalid for a new trace
  std::string trace_state;
  std::uint64_t start_ns = 0;
  std::string trace_hex, span_hex;  // for log lines
  // The upstream call's client span, once it started.
  telemetry::trace::SpanId client_id;
  std::uint64_t client_start_ns = 0, client_end_ns = 0;
  std::string server_address;
  std::uint16_t server_port = 0;
  unsigned upstream_status = 0;
  std::string traceparent;  // the one sent upstream (outlives the upstream request)
};

struct RequestContext {
  std::string request_id;
  std::string method;
  std::string path;
  std::string_view route;         // route template ("/v1/chat/completions", "/proxy/{provider}")
  std::string_view request_type;  // telemetry::request_type::...
  std::string provider;           // empty until resolved
  std::string model;              // as sent upstream
  int status = 0;
  std::uint64_t bytes_out = 0;  // response body bytes written to the client
  Clock::time_point start = Clock::now();
  // Time spent waiting on the upstream and on writes to the client (the overhead figure excludes both).
  Clock::duration upstream_wait{};
  Clock::duration client_wait{};
  std::optional<Clock::time_point> first_token;  // first content event of a stream
  Usage usage;
  std::vector<ToolCall> tool_calls;
  std::vector<std::string> offered_tools;  // function names the request offered the model
  std::string_view upstream_error_reason;  // connect, tls, timeout, reset, status_4xx, status_5xx, protocol
  bool client_disconnected = false;
  std::string_view internal_error;  // telemetry::internal_error::... when an exception was caught
  std::string_view auth_failure;    // auth::Reason name when bearer-token auth refused the request
  std::string user;                 // the verified token's sub (or azp / client_id); never the token
  bool in_flight_counted = false;
  bool report = true;  // false for probes (/health): access log only, no metrics
  bool finished = false;
  RequestTrace trace;

  // Starts the server span when tracing is on (tracer not null): continues the caller's trace when its
  // traceparent is valid, else starts one. Sets trace.trace_hex / span_hex for log lines.
  void start_trace(telemetry::Tracer* tracer, std::string_view traceparent, std::string_view tracestate);
  // Starts the client span of the upstream call to host:port and returns the traceparent to send with it
  // (empty when tracing is off).
  std::string_view start_upstream_span(std::string_view host, std::uint16_t port);
  // The upstream answer is complete (or the call failed): the client span ends now.
  void end_upstream_span();
  // One model call of several (a tool loop): its client span, with this call's usage, goes out now, so
  // the next call gets its own.
  void end_upstream_round(const Usage& round_usage);
  // A tool call the gateway runs: its span (a child of the server span) starts now; `traceparent` names it
  // for the tool server (empty when tracing is off).
  struct ToolSpan {
    telemetry::trace::SpanId id;
    std::uint64_t start_ns = 0;
    std::string traceparent;
  };
  ToolSpan start_tool_span() const;
  // Ends it: "execute_tool <name>" with the tool's attributes; error_type empty on success.
  void end_tool_span(const ToolSpan& span, std::string_view tool_name, std::string_view tool_type,
                     std::string_view call_id, std::string_view server, std::string_view error_type) const;
  // Marks the provider known and counts the request in flight (once).
  void provider_known(std::string_view id, telemetry::Recorder* recorder);
  // Reports to the recorder (may be null), ends the spans and writes the access line. Idempotent.
  void finish(telemetry::Recorder* recorder);
  double elapsed_ms() const;
};

// Why a function tool call the model returned cannot be run by the client (a telemetry::tool_error value),
// or empty when it can: the tool was offered and its arguments are valid JSON.
std::string_view tool_call_error(const ToolCall& call, const std::vector<std::string>& offered);

// Adds the time from its construction to its destruction to a wait total of a RequestContext.
struct WaitTimer {
  Clock::duration& total;
  Clock::time_point t0 = Clock::now();
  ~WaitTimer() { total += Clock::now() - t0; }
};

// The RequestOutcome for a context; `tools` must outlive the returned value.
telemetry::RequestOutcome to_outcome(const RequestContext& ctx,
                                     std::vector<telemetry::ToolCallOutcome>& tools);

// Upstream error reasons (the igw_upstream_errors reason label values).
namespace reason {
inline constexpr std::string_view connect = "connect";
inline constexpr std::string_view tls = "tls";
inline constexpr std::string_view timeout = "timeout";
inline constexpr std::string_view reset = "reset";
inline constexpr std::string_view status_4xx = "status_4xx";
inline constexpr std::string_view status_5xx = "status_5xx";
inline constexpr std::string_view protocol = "protocol";
}  // namespace reason

}  // namespace igw::server
