// The small handlers (health, MCP tool catalog, not found) and what every provider-bound handler shares.
#include "server/handlers.hpp"

#include "server/auth/authenticator.hpp"
#include "server/errors.hpp"
#include "server/tools/registry.hpp"
#include "telemetry/log.hpp"

namespace igw::server {

awaitable<void> handle_health(Exchange& ex) {
  ex.ctx.report = false;  // probes stay out of the request metrics
  co_await write_json(ex, 200, R"({"message":"OK"})");
}

awaitable<void> handle_mcp_tools(Exchange& ex) {
  if (!ex.state().mcp_expose) {
    co_await write_error(ex, 403, errors::code::mcp_not_exposed, errors::mcp_not_exposed());
    co_return;
  }
  // Without MCP_ENABLE / A2A_ENABLE there are no tools and no servers.
  if (const auto* registry = ex.state().tools)
    co_await write_json(ex, 200, registry->catalog()->listing_json());
  else
    co_await write_json(ex, 200, R"({"object":"list","data":[],"servers":[]})");
}

awaitable<void> handle_not_found(Exchange& ex) {
  co_await write_error(ex, 404, errors::code::route_not_found, errors::route_not_found());
}

awaitable<bool> authorize(Exchange& ex) {
  auto* authenticator = ex.state().auth;
  if (!authenticator) co_return true;
  auto decision = co_await authenticator->check(ex.req[FieldId::authorization]);
  if (decision.allowed) {
    ex.ctx.user = std::move(decision.user);
    co_return true;
  }
  namespace lg = telemetry::log;
  const auto reason = auth::to_string(decision.reason);
  ex.ctx.auth_failure = reason;
  lg::warn(lg::logger::auth, "request refused",
           {{lg::field::reason, reason}, {lg::field::path, ex.ctx.path}, {lg::field::request_id, ex.ctx.request_id}, lg::Field::optional(lg::field::trace_id, ex.ctx.trace.trace_hex),
             lg::Field::optional(lg::field::span_id, ex.ctx.trace.span_hex)});
  if (decision.status == 503) {
    ex.extra_fields = "Retry-After: 1\r\n";
    co_await write_openai_error(ex, 503, errors::auth_unavailable(), "server_error", reason);
    co_return false;
  }
  const auto description = auth::describe(decision.reason);
  // RFC 6750 section 3: no error code when the request carried no token at all.
  if (decision.reason == auth::Reason::missing_token)
    ex.extra_fields = "WWW-Authenticate: Bearer\r\n";
  else
    ex.extra_fields = "WWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"" +
                      std::string{description} + "\"\r\n";
  co_await write_openai_error(ex, 401, errors::token_refused(description), "invalid_request_error",
                              decision.reason == auth::Reason::missing_token ? "missing_token" : "invalid_token");
  co_return false;
}

awaitable<const ProviderRuntime*> enabled_provider(Exchange& ex, std::string_view id, bool anthropic_errors) {
  auto index = config::find_provider(id);
  std::string message;
  std::string_view code = errors::code::provider_not_found;
  if (!index) {
    message = errors::provider_not_found(id);
  } else {
    const auto& p = ex.state().providers[*index];
    ex.ctx.provider_known(p.def->id, ex.recorder());
    if (p.enabled) co_return &p;
    message = errors::provider_needs_key(p.def->id, p.key_env);
    code = errors::code::provider_not_configured;
  }
  if (anthropic_errors)
    co_await write_json(ex, 400, errors::anthropic_body(message));
  else
    co_await write_error(ex, 400, code, message);
  co_return nullptr;
}

}  // namespace igw::server
