#include "server/request_context.hpp"

#include <algorithm>

#include <simdjson.h>

#include "telemetry/catalog.hpp"
#include "telemetry/log.hpp"
#include "telemetry/tracer.hpp"

namespace igw::server {

namespace lg = telemetry::log;
namespace tr = telemetry::trace;

namespace {

// The GenAI operation of a request type: chat for the three chat-shaped APIs.
std::string_view operation_of(std::string_view request_type) {
  if (request_type == telemetry::request_type::chat_completions || request_type == telemetry::request_type::messages ||
      request_type == telemetry::request_type::responses)
    return "chat";
  return {};
}

// The server span: "POST /v1/chat/completions", with the HTTP and request attributes.
tr::SpanData server_span(const RequestContext& ctx, std::uint64_t end_ns) {
  const auto& t = ctx.trace;
  tr::SpanData s;
  s.trace_id = t.trace_id;
  s.span_id = t.span_id;
  s.parent_span_id = t.parent_id;
  s.parent_remote = t.parent_id.valid();
  s.trace_state = t.trace_state;
  s.kind = tr::SpanKind::server;
  s.name = ctx.route.empty() ? ctx.method : ctx.method + " " + std::string{ctx.route};
  s.start_unix_ns = t.start_ns;
  s.end_unix_ns = end_ns;
  s.attributes.reserve(10);
  s.attributes.push_back({tr::attr::http_request_method, ctx.method});
  if (!ctx.route.empty()) s.attributes.push_back({tr::attr::http_route, std::string{ctx.route}});
  s.attributes.push_back({tr::attr::url_path, ctx.path});
  s.attributes.push_back({tr::attr::http_response_status_code, std::int64_t{ctx.status}});
  s.attributes.push_back({tr::attr::request_id, ctx.request_id});
  if (!ctx.user.empty()) s.attributes.push_back({tr::attr::enduser_id, ctx.user});
  if (!ctx.provider.empty()) s.attributes.push_back({tr::attr::gen_ai_provider_name, ctx.provider});
  if (!ctx.model.empty()) s.attributes.push_back({tr::attr::gen_ai_request_model, ctx.model});
  // A server span is in error for 5xx only: a 4xx is the caller's mistake, answered as designed.
  if (ctx.status >= 500 || ctx.status == 0) {
    s.status = tr::StatusCode::error;
    s.attributes.push_back({tr::attr::error_type, ctx.status ? std::to_string(ctx.status) : std::string{"incomplete"}});
  }
  return s;
}

// The client span of the upstream call: "chat gpt-4o-mini", with the GenAI attributes and token counts.
tr::SpanData client_span(const RequestContext& ctx, const Usage& usage, std::uint64_t end_ns) {
  const auto& t = ctx.trace;
  tr::SpanData s;
  s.trace_id = t.trace_id;
  s.span_id = t.client_id;
  s.parent_span_id = t.span_id;
  s.trace_state = t.trace_state;
  s.kind = tr::SpanKind::client;
  auto operation = operation_of(ctx.request_type);
  std::string_view subject = ctx.model.empty() ? std::string_view{ctx.provider} : std::string_view{ctx.model};
  s.name = operation.empty() ? ctx.method + " " + std::string{subject} : std::string{operation} + " " + std::string{subject};
  s.start_unix_ns = t.client_start_ns;
  s.end_unix_ns = t.client_end_ns ? t.client_end_ns : end_ns;
  s.attributes.reserve(10);
  if (!operation.empty()) s.attributes.push_back({tr::attr::gen_ai_operation_name, std::string{operation}});
  s.attributes.push_back({tr::attr::gen_ai_provider_name, ctx.provider});
  if (!ctx.model.empty()) s.attributes.push_back({tr::attr::gen_ai_request_model, ctx.model});
  if (usage.present) {
    s.attributes.push_back({tr::attr::gen_ai_usage_input_tokens, std::int64_t{usage.prompt_tokens}});
    s.attributes.push_back({tr::attr::gen_ai_usage_output_tokens, std::int64_t{usage.completion_tokens}});
  }
  s.attributes.push_back({tr::attr::server_address, t.server_address});
  s.attributes.push_back({tr::attr::server_port, std::int64_t{t.server_port}});
  if (t.upstream_status) s.attributes.push_back({tr::attr::http_response_status_code, std::int64_t{t.upstream_status}});
  s.attributes.push_back({tr::attr::request_id, ctx.request_id});
  // A client span is in error when the call failed or the provider answered with an error status.
  if (!ctx.upstream_error_reason.empty()) {
    s.status = tr::StatusCode::error;
    s.attributes.push_back({tr::attr::error_type, std::string{ctx.upstream_error_reason}});
  } else if (t.upstream_status >= 400) {
    s.status = tr::StatusCode::error;
    s.attributes.push_back({tr::attr::error_type, std::to_string(t.upstream_status)});
  }
  return s;
}

void end_spans(RequestContext& ctx) {
  auto& t = ctx.trace;
  if (!t.tracer || !t.sampled) return;
  const std::uint64_t now = tr::unix_now_ns();
  if (t.client_start_ns) t.tracer->end(client_span(ctx, ctx.usage, now));
  t.tracer->end(server_span(ctx, now));
}

}  // namespace

void RequestContext::start_trace(telemetry::Tracer* tracer, std::string_view traceparent, std::string_view tracestate) {
  if (!tracer) return;
  trace.tracer = tracer;
  trace.start_ns = tr::unix_now_ns();
  auto parent = tr::parse_traceparent(traceparent, tracestate);
  if (parent) {
    trace.trace_id = parent->trace_id;
    trace.parent_id = parent->span_id;
    trace.trace_state = std::move(parent->trace_state);
  } else {
    trace.trace_id = tr::new_trace_id();
  }
  trace.sampled = tracer->sampler().should_sample(parent, trace.trace_id);
  trace.span_id = tr::new_span_id();
  trace.trace_hex = trace.trace_id.hex();
  trace.span_hex = trace.span_id.hex();
}

std::string_view RequestContext::start_upstream_span(std::string_view host, std::uint16_t port) {
  if (!trace.tracer) return {};
  trace.client_id = tr::new_span_id();
  trace.client_start_ns = tr::unix_now_ns();
  trace.client_end_ns = 0;
  trace.server_address = std::string{host};
  trace.server_port = port;
  trace.traceparent = tr::format_traceparent(trace.trace_id, trace.client_id, trace.sampled);
  return trace.traceparent;
}

void RequestContext::end_upstream_span() {
  if (trace.client_start_ns && !trace.client_end_ns) trace.client_end_ns = tr::unix_now_ns();
}

void RequestContext::end_upstream_round(const Usage& round_usage) {
  if (!trace.tracer || !trace.client_start_ns) return;
  end_upstream_span();
  if (trace.sampled) trace.tracer->end(client_span(*this, round_usage, trace.client_end_ns));
  trace.client_start_ns = trace.client_end_ns = 0;
}

RequestContext::ToolSpan RequestContext::start_tool_span() const {
  ToolSpan span;
  if (!trace.tracer) return span;
  span.id = tr::new_span_id();
  span.start_ns = tr::unix_now_ns();
  span.traceparent = tr::format_traceparent(trace.trace_id, span.id, trace.sampled);
  return span;
}

void RequestContext::end_tool_span(const ToolSpan& span, std::string_view tool_name, std::string_view tool_type,
                                   std::string_view call_id, std::string_view server,
                                   std::string_view error_type) const {
  if (!trace.tracer || !trace.sampled || !span.start_ns) return;
  tr::SpanData s;
  s.trace_id = trace.trace_id;
  s.span_id = span.id;
  s.parent_span_id = trace.span_id;
  s.trace_state = trace.trace_state;
  s.kind = tr::SpanKind::internal;  // GenAI conventions: execute_tool is an internal span
  s.name = "execute_tool " + std::string{tool_name};
  s.start_unix_ns = span.start_ns;
  s.end_unix_ns = tr::unix_now_ns();
  s.attributes.reserve(8);
  s.attributes.push_back({tr::attr::gen_ai_operation_name, std::string{"execute_tool"}});
  s.attributes.push_back({tr::attr::gen_ai_tool_name, std::string{tool_name}});
  s.attributes.push_back({tr::attr::gen_ai_tool_type, std::string{tool_type}});
  if (!call_id.empty()) s.attributes.push_back({tr::attr::gen_ai_tool_call_id, std::string{call_id}});
  if (!server.empty()) s.attributes.push_back({tr::attr::url_full, std::string{server}});
  s.attributes.push_back({tr::attr::request_id, request_id});
  if (!error_type.empty()) {
    s.status = tr::StatusCode::error;
    s.attributes.push_back({tr::attr::error_type, std::string{error_type}});
  }
  trace.tracer->end(std::move(s));
}

void RequestContext::provider_known(std::string_view id, telemetry::Recorder* recorder) {
  provider = std::string{id};
  if (recorder && !in_flight_counted) {
    recorder->request_started(provider);
    in_flight_counted = true;
  }
}

double RequestContext::elapsed_ms() const {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string_view tool_call_error(const ToolCall& call, const std::vector<std::string>& offered) {
  if (std::find(offered.begin(), offered.end(), call.name) == offered.end()) return telemetry::tool_error::unknown_tool;
  if (call.arguments.empty()) return {};  // a call without arguments
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element ignored;
  if (parser.parse(call.arguments).get(ignored) != simdjson::SUCCESS) return telemetry::tool_error::invalid_arguments;
  return {};
}

telemetry::RequestOutcome to_outcome(const RequestContext& ctx,
                                     std::vector<telemetry::ToolCallOutcome>& tools) {
  telemetry::RequestOutcome o;
  o.provider = ctx.provider.empty() ? telemetry::kUnknownProvider : std::string_view{ctx.provider};
  o.model = ctx.model;
  o.request_type = ctx.request_type;
  o.method = ctx.method;
  o.route = ctx.route;
  o.status_code = ctx.status;
  o.duration_ms = ctx.elapsed_ms();
  if (ctx.first_token)
    o.time_to_first_token = std::chrono::duration<double>(*ctx.first_token - ctx.start).count();
  double overhead = std::chrono::duration<double>(Clock::now() - ctx.start - ctx.upstream_wait - ctx.client_wait).count();
  o.overhead_seconds = overhead > 0 ? overhead : 0;
  o.has_usage = ctx.usage.present;
  o.prompt_tokens = ctx.usage.prompt_tokens;
  o.completion_tokens = ctx.usage.completion_tokens;
  o.total_tokens = ctx.usage.total_tokens;
  tools.clear();
  for (const auto& call : ctx.tool_calls) {
    auto error = tool_call_error(call, ctx.offered_tools);
    tools.push_back({telemetry::tool_type::function, call.name, error.empty(), error, std::nullopt});
  }
  o.tool_calls = tools;
  o.upstream_error_reason = ctx.upstream_error_reason;
  o.client_disconnected = ctx.client_disconnected;
  o.internal_error = ctx.internal_error;
  o.auth_failure = ctx.auth_failure;
  o.counted_in_flight = ctx.in_flight_counted;
  return o;
}

void RequestContext::finish(telemetry::Recorder* recorder) {
  if (finished) return;
  finished = true;
  std::vector<telemetry::ToolCallOutcome> tools;
  auto outcome = to_outcome(*this, tools);
  if (recorder && report) recorder->request_finished(outcome);
  end_spans(*this);
  auto level = status >= 500 ? lg::Level::error : (status >= 400 ? lg::Level::warn : lg::Level::info);
  if (!lg::enabled(level)) return;
  lg::write(level, lg::logger::http, client_disconnected ? "client disconnected" : "request",
            {{lg::field::method, method},
             {lg::field::path, path},
             {lg::field::status_code, status},
             {lg::field::duration_ms, outcome.duration_ms},
             {lg::field::provider, provider},
             {lg::field::model, model},
             {lg::field::request_id, request_id},
             {lg::field::user, user},
             {lg::field::bytes, bytes_out},
             lg::Field::optional(lg::field::trace_id, trace.trace_hex),
             lg::Field::optional(lg::field::span_id, trace.span_hex)});
}

}  // namespace igw::server
