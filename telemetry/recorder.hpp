// What the data plane tells telemetry about each request. The server fills a RequestOutcome as the
// request goes and hands it over once, at the end; the recorder turns it into the catalog's metrics.
// Kept free of prometheus-cpp so the data plane does not include it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace igw::telemetry {

struct ToolCallOutcome {
  std::string_view tool_type;  // tool_type::function / mcp / a2a
  std::string_view name;
  bool success = true;
  std::string_view error_type; // when !success
  std::optional<double> duration_ms;  // calls the gateway ran itself (MCP, A2A)
};

struct RequestOutcome {
  std::string_view provider;      // kUnknownProvider when none was resolved
  std::string_view model;         // as sent upstream; empty when none
  std::string_view request_type;  // request_type::chat_completions, ...
  std::string_view method;        // "GET", "POST"
  std::string_view route;         // route template: "/v1/chat/completions", "/proxy/{provider}"
  int status_code = 0;
  double duration_ms = 0;                     // end to end
  std::optional<double> time_to_first_token;  // seconds, streams only
  double overhead_seconds = 0;                // time not spent waiting on the upstream
  bool has_usage = false;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t total_tokens = 0;
  std::span<const ToolCallOutcome> tool_calls;
  std::string_view upstream_error_reason;  // connect, tls, timeout, reset, status_4xx, status_5xx, protocol
  bool client_disconnected = false;
  std::string_view internal_error;  // internal_error::handler / relay when an exception was caught
  std::string_view auth_failure;    // why bearer-token auth refused the request, when it did
  bool counted_in_flight = false;  // request_started was called for this request
};

struct ServiceAttributes {
  std::string service_name;
  std::string service_version;
  std::string deployment_environment;
};

class Recorder {
 public:
  virtual ~Recorder() = default;
  // In-flight gauge up; call once the provider is known. request_finished brings it down.
  virtual void request_started(std::string_view provider) = 0;
  virtual void request_finished(const RequestOutcome& outcome) = 0;
  // A tool call the gateway ran itself (MCP, A2A), outside a finished request.
  virtual void tool_call(std::string_view provider, std::string_view model, const ToolCallOutcome& call) = 0;
  // Whether an MCP server or A2A agent (tool_type mcp / a2a, its configured URL) is connected.
  virtual void tool_server_up(std::string_view /*tool_type*/, std::string_view /*server*/, bool /*up*/) {}
  // Whether the OIDC issuer's keys are loaded (auth on only).
  virtual void auth_keys_loaded(bool loaded) = 0;
  // Trace spans that were not exported (a span_drop reason), and the outcome of one OTLP export. Called
  // from the exporter thread.
  virtual void spans_dropped(std::string_view /*reason*/, std::uint64_t /*count*/) {}
  virtual void trace_export(bool /*ok*/) {}
  // The Prometheus text exposition of everything recorded.
  virtual std::string exposition() = 0;
};

struct RecorderOptions {
  ServiceAttributes service;
  std::size_t max_models_per_provider = 100;
};

std::unique_ptr<Recorder> make_prometheus_recorder(const RecorderOptions& options);

}  // namespace igw::telemetry
