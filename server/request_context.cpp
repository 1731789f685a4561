#include "server/request_context.hpp"

#include <algorithm>

#include <simdjson.h>

#include "telemetry/catalog.hpp"
#include "telemetry/log.hpp"

namespace igw::server {

namespace lg = telemetry::log;

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
    tools.push_back({telemetry::tool_type::function, call.name, error.empty(), error});
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
             {lg::field::bytes, bytes_out}});
}

}  // namespace igw::server
