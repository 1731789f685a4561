// The route handlers: the small ones in handlers.cpp (health, MCP tools, not found), the others one family
// per file (handle_models.cpp, handle_chat.cpp, handle_passthrough.cpp for proxy, messages and responses).
// Each writes exactly one response.
#pragma once

#include "server/exchange.hpp"

namespace igw::server {

awaitable<void> handle_health(Exchange& ex);
awaitable<void> handle_mcp_tools(Exchange& ex);
awaitable<void> handle_not_found(Exchange& ex);
awaitable<void> handle_models(Exchange& ex);
awaitable<void> handle_chat(Exchange& ex);
awaitable<void> handle_proxy(Exchange& ex);
awaitable<void> handle_messages(Exchange& ex);
awaitable<void> handle_responses(Exchange& ex);

// With AUTH_ENABLE: true when the request carries a bearer token the issuer's keys verify (its user is
// then on the context); otherwise the 401 (or 503 while the keys are not loaded) is written and false
// returned. Without auth: true.
awaitable<bool> authorize(Exchange& ex);

// The enabled provider for an id, or the error response already written (400 not found / no key).
awaitable<const ProviderRuntime*> enabled_provider(Exchange& ex, std::string_view id,
                                                   bool anthropic_errors = false);

}  // namespace igw::server
