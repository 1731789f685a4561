// POST /v1/chat/completions: resolve the provider from the model prefix or ?provider=, check the model
// policy, splice the body (prefix stripped, stream_options set or removed), relay JSON or SSE; with MCP
// or A2A tools connected, the tool loop (tool_loop.hpp) instead.
#include "server/errors.hpp"
#include "server/handlers.hpp"
#include "server/target.hpp"
#include "server/json_fields.hpp"
#include "server/relay.hpp"
#include "server/request_context.hpp"
#include "server/tool_loop.hpp"
#include "server/tools/registry.hpp"
#include "telemetry/log.hpp"

namespace igw::server {
namespace {

namespace lg = telemetry::log;

StreamOptionsEdit stream_options_edit(const ProviderRuntime& p, bool stream) {
  if (!p.def->accepts_stream_options) return StreamOptionsEdit::remove;
  return stream ? StreamOptionsEdit::force_include_usage : StreamOptionsEdit::keep;
}

std::string_view named_provider(std::string_view model, std::string_view param) {
  if (!param.empty()) return param;
  return model.substr(0, model.find('/'));
}

}  // namespace

awaitable<void> handle_chat(Exchange& ex) {
  auto fields = extract_chat_fields(ex.req.body());
  if (!fields) {
    lg::debug(lg::logger::http, "malformed chat request",
              {{lg::field::request_id, ex.ctx.request_id}, lg::Field::optional(lg::field::trace_id, ex.ctx.trace.trace_hex),
             lg::Field::optional(lg::field::span_id, ex.ctx.trace.span_hex), {lg::field::error, fields.error()}});
    {
      co_await write_error(ex, 400, errors::code::invalid_json, errors::decode_failed());
      co_return;
    }
  }
  std::string provider_param = query_param(ex.query, "provider");
  auto target = resolve_chat_target(fields->model, provider_param);
  if (!target) {
    std::string message;  // (no ?: with class temporaries in coroutines: GCC 12 destroys them twice)
    std::string_view code = errors::code::provider_undetermined;
    if (target.error() == RouteError::provider_not_found) {
      message = errors::provider_not_found(named_provider(fields->model, provider_param));
      code = errors::code::provider_not_found;
    } else {
      message = errors::provider_undetermined();
    }
    {
      co_await write_error(ex, 400, code, message);
      co_return;
    }
  }
  const ProviderRuntime* p = co_await enabled_provider(ex, config::providers()[target->provider].id);
  if (!p) co_return;
  ex.ctx.model = std::string{target->upstream_model};
  if (!ex.state().policy.allows(p->def->id, target->upstream_model)) {
    co_await write_error(ex, 403, errors::code::model_not_allowed, errors::model_not_allowed(fields->model));
    co_return;
  }

  UpstreamRequest req{"POST", make_target(p->url.base_path, p->def->chat_path, {})};
  copy_caller_headers(ex.req, req);
  req.set("Content-Type", "application/json");
  req.set("Accept", fields->stream ? "text/event-stream" : "application/json");
  req.set("X-Request-Id", ex.ctx.request_id);
  req.body() = rewrite_chat_body(ex.req.body(), *fields, target->prefix_stripped, target->upstream_model,
                                 stream_options_edit(*p, fields->stream));
  ex.ctx.offered_tools = std::move(fields->offered_tools);
  if (auto* registry = ex.state().tools) {
    const bool bypass = bypasses_tools(ex.req[kMcpBypassHeader]);
    req.erase(kMcpBypassHeader);  // igw's own header: the provider never sees it
    if (auto catalog = registry->catalog(); !bypass && !catalog->empty()) {
      co_await run_tool_loop(ex, *p, req, fields->stream, std::move(catalog));
      co_return;
    }
  }
  UpstreamCall call{ex.worker.pool, ex.state(), *p, fields->stream};
  if (!co_await send_upstream(ex, call, req)) co_return;
  if (fields->stream)
    co_await relay_sse(ex, call, AnswerShape::chat_completion);
  else
    co_await relay_json(ex, call);
}

}  // namespace igw::server
