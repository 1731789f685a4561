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

namespace igw::server {

using Clock = std::chrono::steady_clock;

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

  // Marks the provider known and counts the request in flight (once).
  void provider_known(std::string_view id, telemetry::Recorder* recorder);
  // Reports to the recorder (may be null) and writes the access line. Idempotent.
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
