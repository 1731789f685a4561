// The small handlers (health, MCP tool catalog, not found) and what every provider-bound handler shares.
#include "server/handlers.hpp"

#include "server/errors.hpp"

namespace igw::server {

awaitable<void> handle_health(Exchange& ex) {
  ex.ctx.report = false;  // probes stay out of the request metrics
  co_await write_json(ex, 200, R"({"message":"OK"})");
}

awaitable<void> handle_mcp_tools(Exchange& ex) {
  if (!ex.state().mcp_expose) {
    co_await write_error(ex, 403, errors::mcp_not_exposed());
    co_return;
  }
  // MCP comes with its own issue; until then the catalog is empty.
  co_await write_json(ex, 200, R"({"object":"list","data":[]})");
}

awaitable<void> handle_not_found(Exchange& ex) {
  co_await write_error(ex, 404, errors::route_not_found());
}

awaitable<const ProviderRuntime*> enabled_provider(Exchange& ex, std::string_view id, bool anthropic_errors) {
  auto index = config::find_provider(id);
  std::string message;
  if (!index) {
    message = errors::provider_not_found(id);
  } else {
    const auto& p = ex.state().providers[*index];
    ex.ctx.provider_known(p.def->id, ex.recorder());
    if (p.enabled) co_return &p;
    message = errors::provider_needs_key(p.def->id, p.key_env);
  }
  if (anthropic_errors)
    co_await write_json(ex, 400, errors::anthropic_body(message));
  else
    co_await write_error(ex, 400, message);
  co_return nullptr;
}

}  // namespace igw::server
