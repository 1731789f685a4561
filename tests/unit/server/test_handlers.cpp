#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "data_plane.hpp"
#include "server/tools/registry.hpp"
#include "server/auth/authenticator.hpp"
#include "server/errors.hpp"
#include "server/handlers.hpp"
#include "tests/unit/server/auth/token_maker.hpp"

using namespace igw::server;
using namespace igw::server::testing;
using namespace std::chrono_literals;
namespace t = igw::server::auth::testing;
using Json = nlohmann::json;

namespace {

constexpr const char* kAudience = "igw-client";
constexpr std::string_view kGet = "GET /v1/models HTTP/1.1\r\nHost: gw\r\n\r\n";

std::string get_with_authorization(std::string_view value) {
  return "GET /v1/models HTTP/1.1\r\nHost: gw\r\nAuthorization: " + std::string{value} + "\r\n\r\n";
}

// Runs authorize on the exchange of `request`; its answer.
bool run_authorize(Gateway& g, std::string_view request) {
  auto& ex = g.start(request);
  bool ok = false;
  g.run([&]() -> awaitable<void> { ok = co_await authorize(ex); });
  return ok;
}

template <class Handler>
Reply run_handler(Gateway& g, Handler handler, std::string_view request = kGet) {
  auto& ex = g.start(request);
  g.run([&]() -> awaitable<void> { co_await handler(ex); });
  return g.reply();
}

Json openai_error(std::string_view message, std::string_view type, std::string_view code) {
  return {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}}}};
}

// An Authenticator with its keys loaded from an issuer on the gateway's fake upstream (the discovery
// document and one RSA key, kid "k1"); keep_keys_fresh is cancelled at the end.
struct LoadedAuth {
  Gateway& g;
  std::string issuer;
  auth::Authenticator authenticator;
  asio::cancellation_signal stop;
  bool running = true;

  explicit LoadedAuth(Gateway& gateway)
      : g(gateway), issuer(g.upstream->url("")), authenticator({issuer, kAudience, nullptr, nullptr}) {
    const std::string discovery = Json{
        {"issuer", issuer},
        {"jwks_uri", issuer + "/jwks"},
        {"id_token_signing_alg_values_supported",
         {"RS256"}}}.dump();
    const std::string jwks = t::jwks(Json::array({t::public_jwk(t::rsa2048(), "k1")}));
    g.upstream->serve([discovery, jwks](Socket& s, int) -> awaitable<void> {
      beast::flat_buffer buffer;
      auto req = co_await read_request(s, buffer);
      if (!req) co_return;
      const std::string& body = req->target() == "/jwks" ? jwks : discovery;
      co_await send(s,
                    "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    });
    asio::co_spawn(
        g.io(), authenticator.keep_keys_fresh(),
        asio::bind_cancellation_slot(stop.slot(), [this](std::exception_ptr) { running = false; }));
    g.run_until([&] { return authenticator.keys_loaded(); });
    REQUIRE(authenticator.keys_loaded());
    g.state.auth = &authenticator;
  }
  ~LoadedAuth() {
    g.state.auth = nullptr;
    stop.emit(asio::cancellation_type::terminal);
    g.run_until([&] { return !running; }, 1000ms);
  }

  std::string token(std::int64_t exp_from_now) const {
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    return t::sign(t::rsa2048(), {{"alg", "RS256"}, {"kid", "k1"}},
                   {{"iss", issuer}, {"aud", kAudience}, {"exp", now + exp_from_now}, {"sub", "user-1"}});
  }
};

}  // namespace

TEST_SUITE("handlers") {
  TEST_CASE("authorize without auth configured: every request passes, nothing written") {
    Gateway g;
    CHECK(run_authorize(g, kGet));
    CHECK(g.ctx.auth_failure.empty());
    CHECK(g.client_received().empty());
  }

  TEST_CASE("authorize before the keys load: 503, Retry-After: 1, the OpenAI error keys_unavailable") {
    Gateway g;
    auth::Authenticator unloaded{{"http://127.0.0.1:9", kAudience, nullptr, nullptr}};
    g.state.auth = &unloaded;
    CHECK_FALSE(run_authorize(g, get_with_authorization("Bearer abc.def.ghi")));
    CHECK(g.ctx.auth_failure == "keys_unavailable");
    auto r = g.reply();
    CHECK(r.status() == 503);
    CHECK(r.field("Retry-After") == "1");
    CHECK_FALSE(r.has("WWW-Authenticate"));
    CHECK(Json::parse(r.body) ==
          openai_error(errors::auth_unavailable(), "server_error", "keys_unavailable"));
  }

  TEST_CASE("authorize without a token: 401, WWW-Authenticate: Bearer with no error code, missing_token") {
    Gateway g;
    auth::Authenticator unloaded{{"http://127.0.0.1:9", kAudience, nullptr, nullptr}};
    g.state.auth = &unloaded;
    CHECK_FALSE(run_authorize(g, kGet));
    CHECK(g.ctx.auth_failure == "missing_token");
    auto r = g.reply();
    CHECK(r.status() == 401);
    CHECK(r.field("WWW-Authenticate") == "Bearer");
    CHECK_FALSE(r.has("Retry-After"));
    CHECK(Json::parse(r.body) ==
          openai_error(errors::token_refused(auth::describe(auth::Reason::missing_token)),
                       "invalid_request_error", "missing_token"));
  }

  TEST_CASE(
      "authorize with a malformed token: 401, WWW-Authenticate invalid_token with the reason's description") {
    Gateway g;
    auth::Authenticator unloaded{{"http://127.0.0.1:9", kAudience, nullptr, nullptr}};
    g.state.auth = &unloaded;
    CHECK_FALSE(run_authorize(g, get_with_authorization("Bearer a,b")));
    CHECK(g.ctx.auth_failure == "malformed");
    auto r = g.reply();
    CHECK(r.status() == 401);
    CHECK(r.field("WWW-Authenticate") ==
          "Bearer error=\"invalid_token\", error_description=\"the token is not a well-formed JWT\"");
    CHECK(Json::parse(r.body) == openai_error(errors::token_refused(auth::describe(auth::Reason::malformed)),
                                              "invalid_request_error", "invalid_token"));
  }

  TEST_CASE(
      "authorize with loaded keys: a valid token passes with its user, an expired one gets 401 expired") {
    Gateway g;
    LoadedAuth auth{g};
    SUBCASE("valid") {
      CHECK(run_authorize(g, get_with_authorization("Bearer " + auth.token(600))));
      CHECK(g.ctx.user == "user-1");
      CHECK(g.ctx.auth_failure.empty());
      CHECK(g.client_received().empty());
    }
    SUBCASE("expired") {
      CHECK_FALSE(run_authorize(g, get_with_authorization("Bearer " + auth.token(-3600))));
      CHECK(g.ctx.user.empty());
      CHECK(g.ctx.auth_failure == "expired");
      auto r = g.reply();
      CHECK(r.status() == 401);
      CHECK(r.field("WWW-Authenticate") ==
            "Bearer error=\"invalid_token\", error_description=\"the token has expired\"");
      CHECK(Json::parse(r.body)["error"]["code"] == "invalid_token");
    }
  }

  TEST_CASE("handle_health: 200 {\"message\":\"OK\"}, kept out of the request metrics") {
    Gateway g;
    auto r = run_handler(g, handle_health);
    CHECK(r.status() == 200);
    CHECK(r.field("Content-Type") == "application/json");
    CHECK(r.body == R"({"message":"OK"})");
    CHECK_FALSE(g.ctx.report);
  }

  TEST_CASE("handle_not_found: 404 with the route error") {
    Gateway g;
    auto r = run_handler(g, handle_not_found);
    CHECK(r.status() == 404);
    CHECK(r.body == errors::body(404, errors::code::route_not_found, errors::route_not_found()));
  }

  TEST_CASE("handle_mcp_tools: 403 unless MCP_EXPOSE, then 200 with the tool catalog") {
    Gateway g;
    SUBCASE("not exposed") {
      auto r = run_handler(g, handle_mcp_tools);
      CHECK(r.status() == 403);
      CHECK(r.body == errors::body(403, errors::code::mcp_not_exposed, errors::mcp_not_exposed()));
    }
    SUBCASE("exposed") {
      g.state.mcp_expose = true;
      auto r = run_handler(g, handle_mcp_tools);
      CHECK(r.status() == 200);
      CHECK(Json::parse(r.body) == Json{{"object", "list"}, {"data", Json::array()}, {"servers", Json::array()}});
    }
    SUBCASE("exposed, with servers configured that are not connected (yet)") {
      tools::RegistryOptions options;
      options.mcp_servers = {"http://127.0.0.1:9/mcp"};
      options.a2a_agents = {"http://127.0.0.1:9/agent"};
      tools::ToolRegistry registry{options};
      g.state.mcp_expose = true;
      g.state.tools = &registry;
      auto r = run_handler(g, handle_mcp_tools);
      CHECK(r.status() == 200);
      auto body = Json::parse(r.body);
      CHECK(body["data"] == Json::array());
      REQUIRE(body["servers"].size() == 2);
      CHECK(body["servers"][0]["url"] == "http://127.0.0.1:9/mcp");
      CHECK(body["servers"][0]["type"] == "mcp");
      CHECK(body["servers"][0]["state"] == "down");
      CHECK(body["servers"][1]["type"] == "a2a");
    }
  }

  TEST_CASE("enabled_provider: an unknown id or a provider without its key is a 400 and null") {
    Gateway g;
    g.load({});
    const ProviderRuntime* got = &g.state.providers.front();
    auto call = [&](std::string_view id, bool anthropic_errors) {
      auto& ex = g.start(kGet);
      g.run([&]() -> awaitable<void> { got = co_await enabled_provider(ex, id, anthropic_errors); });
      return g.reply();
    };
    SUBCASE("unknown id") {
      auto r = call("nope", false);
      CHECK(got == nullptr);
      CHECK(r.status() == 400);
      CHECK(r.body == errors::body(400, errors::code::provider_not_found, errors::provider_not_found("nope")));
      CHECK(g.ctx.provider.empty());
    }
    SUBCASE("unknown id, Anthropic shape") {
      auto r = call("nope", true);
      CHECK(got == nullptr);
      CHECK(r.status() == 400);
      CHECK(r.body == errors::anthropic_body(errors::provider_not_found("nope")));
    }
    SUBCASE("no key") {
      auto r = call("openai", false);
      CHECK(got == nullptr);
      CHECK(r.status() == 400);
      CHECK(r.body == errors::body(400, errors::code::provider_not_configured,
                                  errors::provider_needs_key("openai", "OPENAI_API_KEY")));
      CHECK(g.ctx.provider == "openai");
    }
  }

  TEST_CASE("enabled_provider: an enabled provider is returned and nothing is written") {
    Gateway g;
    g.load({{"OPENAI_API_KEY", "sk-test"}});
    auto& ex = g.start(kGet);
    const ProviderRuntime* got = nullptr;
    g.run([&]() -> awaitable<void> { got = co_await enabled_provider(ex, "openai"); });
    CHECK(got == &g.provider("openai"));
    CHECK(g.ctx.provider == "openai");
    CHECK(g.client_received().empty());
  }
}
