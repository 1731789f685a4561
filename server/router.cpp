#include "server/router.hpp"

#include "server/handlers.hpp"
#include "telemetry/catalog.hpp"

namespace igw::server {

namespace rt = telemetry::request_type;

Route match_route(Method method, std::string_view path) {
  if (path.starts_with("/proxy/")) return Route::proxy;
  bool get = method == Method::get, post = method == Method::post;
  if (get && path == "/health") return Route::health;
  if (get && path == "/v1/models") return Route::models;
  if (post && path == "/v1/chat/completions") return Route::chat;
  if (post && path == "/v1/messages") return Route::messages;
  if (post && path == "/v1/responses") return Route::responses;
  if (get && path == "/v1/mcp/tools") return Route::mcp_tools;
  return Route::not_found;
}

std::string_view route_template(Route route) {
  switch (route) {
    case Route::health:
      return "/health";
    case Route::models:
      return "/v1/models";
    case Route::chat:
      return "/v1/chat/completions";
    case Route::proxy:
      return "/proxy/{provider}";
    case Route::messages:
      return "/v1/messages";
    case Route::responses:
      return "/v1/responses";
    case Route::mcp_tools:
      return "/v1/mcp/tools";
    case Route::not_found:
      break;
  }
  return "unmatched";
}

std::string_view route_request_type(Route route) {
  switch (route) {
    case Route::models:
      return rt::models;
    case Route::chat:
      return rt::chat_completions;
    case Route::proxy:
      return rt::proxy;
    case Route::messages:
      return rt::messages;
    case Route::responses:
      return rt::responses;
    case Route::mcp_tools:
      return rt::mcp_tools;
    default:
      return {};
  }
}

awaitable<void> dispatch(Exchange& ex) {
  Route route = match_route(ex.req.method(), ex.path);
  ex.ctx.route = route_template(route);
  ex.ctx.request_type = route_request_type(route);
  // (The check is skipped, not awaited, without auth: no coroutine frame on the common path.)
  if (route != Route::health && ex.state().auth && !co_await authorize(ex)) co_return;
  switch (route) {
    case Route::health: {
      co_await handle_health(ex);
      co_return;
    }
    case Route::models: {
      co_await handle_models(ex);
      co_return;
    }
    case Route::chat: {
      co_await handle_chat(ex);
      co_return;
    }
    case Route::proxy: {
      co_await handle_proxy(ex);
      co_return;
    }
    case Route::messages: {
      co_await handle_messages(ex);
      co_return;
    }
    case Route::responses: {
      co_await handle_responses(ex);
      co_return;
    }
    case Route::mcp_tools: {
      co_await handle_mcp_tools(ex);
      co_return;
    }
    default: {
      co_await handle_not_found(ex);
      co_return;
    }
  }
}

}  // namespace igw::server
