#include <doctest/doctest.h>

#include <array>

#include "data_plane.hpp"
#include "server/errors.hpp"
#include "server/router.hpp"
#include "telemetry/catalog.hpp"

using namespace igw::server;
namespace rt = igw::telemetry::request_type;

namespace {

constexpr std::array kAllMethods{Method::get, Method::post, Method::put,     Method::patch,
                                 Method::del, Method::head, Method::options, Method::other};

// The one method a fixed route answers; every other gets not_found.
void check_only(std::string_view path, Method method, Route route) {
  CAPTURE(path);
  for (Method m : kAllMethods) {
    CAPTURE(static_cast<int>(m));
    CHECK(match_route(m, path) == (m == method ? route : Route::not_found));
  }
}

}  // namespace

TEST_SUITE("router") {
  TEST_CASE("each fixed route answers its one method; HEAD, PUT and the rest are not found") {
    check_only("/health", Method::get, Route::health);
    check_only("/v1/models", Method::get, Route::models);
    check_only("/v1/chat/completions", Method::post, Route::chat);
    check_only("/v1/messages", Method::post, Route::messages);
    check_only("/v1/responses", Method::post, Route::responses);
    check_only("/v1/mcp/tools", Method::get, Route::mcp_tools);
  }

  TEST_CASE("paths match exactly: no trailing slash, no case folding, no prefix, no query") {
    CHECK(match_route(Method::get, "/health/") == Route::not_found);
    CHECK(match_route(Method::get, "/v1/models/") == Route::not_found);
    CHECK(match_route(Method::post, "/v1/chat/completions/") == Route::not_found);
    CHECK(match_route(Method::post, "/v1/messages/") == Route::not_found);
    CHECK(match_route(Method::get, "/V1/models") == Route::not_found);
    CHECK(match_route(Method::get, "/HEALTH") == Route::not_found);
    CHECK(match_route(Method::get, "/v1/models/gpt-4o") == Route::not_found);
    CHECK(match_route(Method::post, "/chat/completions") == Route::not_found);
    CHECK(match_route(Method::get, "/v1/models?x=1") == Route::not_found);  // the caller removes the query
    CHECK(match_route(Method::get, "") == Route::not_found);
    CHECK(match_route(Method::get, "/") == Route::not_found);
    CHECK(match_route(Method::get, "/v1") == Route::not_found);
  }

  TEST_CASE("everything under /proxy/ is the proxy route, whatever the method") {
    for (Method m : kAllMethods) {
      CAPTURE(static_cast<int>(m));
      CHECK(match_route(m, "/proxy/openai/chat/completions") == Route::proxy);
      CHECK(match_route(m, "/proxy/ollama/") == Route::proxy);
      CHECK(match_route(m, "/proxy/") == Route::proxy);  // the handler answers 404 for a missing provider
    }
    CHECK(match_route(Method::get, "/proxy") == Route::not_found);
    CHECK(match_route(Method::get, "/proxyx/openai") == Route::not_found);
    CHECK(match_route(Method::get, "/Proxy/openai/models") == Route::not_found);
    CHECK(match_route(Method::get, "/v1/proxy/openai/models") == Route::not_found);
  }

  TEST_CASE("route templates: the values of the route label") {
    CHECK(route_template(Route::health) == "/health");
    CHECK(route_template(Route::models) == "/v1/models");
    CHECK(route_template(Route::chat) == "/v1/chat/completions");
    CHECK(route_template(Route::proxy) == "/proxy/{provider}");
    CHECK(route_template(Route::messages) == "/v1/messages");
    CHECK(route_template(Route::responses) == "/v1/responses");
    CHECK(route_template(Route::mcp_tools) == "/v1/mcp/tools");
    CHECK(route_template(Route::not_found) == "unmatched");
  }

  TEST_CASE("request types come from the catalog; health and unmatched requests have none") {
    CHECK(route_request_type(Route::models) == rt::models);
    CHECK(route_request_type(Route::chat) == rt::chat_completions);
    CHECK(route_request_type(Route::proxy) == rt::proxy);
    CHECK(route_request_type(Route::messages) == rt::messages);
    CHECK(route_request_type(Route::responses) == rt::responses);
    CHECK(route_request_type(Route::mcp_tools) == rt::mcp_tools);
    CHECK(route_request_type(Route::health).empty());
    CHECK(route_request_type(Route::not_found).empty());
    // Pinned too: they are label values on dashboards.
    CHECK(route_request_type(Route::chat) == "chat_completions");
    CHECK(route_request_type(Route::proxy) == "proxy");
  }

  TEST_CASE("dispatch sets the route and request type on the context and runs the route's handler") {
    using igw::server::testing::Gateway;
    {
      Gateway g;
      g.load({});
      auto& ex = g.start("GET /health HTTP/1.1\r\nHost: gw\r\n\r\n");
      g.run([&] { return dispatch(ex); });
      CHECK(g.ctx.route == "/health");
      CHECK(g.ctx.request_type.empty());
      CHECK_FALSE(g.ctx.report);  // probes stay out of the metrics
      auto r = g.reply();
      CHECK(r.status() == 200);
      CHECK(r.body == R"({"message":"OK"})");
    }
    {
      Gateway g;
      g.load({});
      auto& ex = g.start("PUT /v1/chat/completions?x=1 HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\n\r\n{}");
      g.run([&] { return dispatch(ex); });
      CHECK(g.ctx.route == "unmatched");
      CHECK(g.ctx.request_type.empty());
      auto r = g.reply();
      CHECK(r.status() == 404);
      CHECK(r.body == errors::body(404, errors::code::route_not_found, errors::route_not_found()));
    }
    {
      Gateway g;
      g.load({});
      auto& ex = g.start("GET /v1/mcp/tools HTTP/1.1\r\nHost: gw\r\n\r\n");
      g.run([&] { return dispatch(ex); });
      CHECK(g.ctx.route == "/v1/mcp/tools");
      CHECK(g.ctx.request_type == rt::mcp_tools);
      CHECK(g.reply().status() == 403);  // MCP_EXPOSE is off by default
    }
  }
}
