#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "data_plane.hpp"
#include "server/errors.hpp"
#include "server/handlers.hpp"

using namespace igw::server;
using namespace igw::server::testing;
using namespace std::chrono_literals;
using Json = nlohmann::json;
namespace config = igw::config;

namespace {

constexpr std::string_view kCallerCredentials =
    "Authorization: Bearer caller-token\r\nx-api-key: caller-key\r\n";

std::string request(std::string_view method, std::string_view target, std::string_view headers = {},
                    std::string_view body = {}) {
  std::string out =
      std::string{method} + " " + std::string{target} + " HTTP/1.1\r\nHost: gw\r\n" + std::string{headers};
  if (!body.empty() || method == "POST" || method == "PUT")
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + std::string{body};
}

// A gateway whose providers in `env` point at its fake upstream (each "<ID>_API_URL" value is a base path
// there), which records what it is sent and answers `response`.
struct PassthroughGateway {
  SeenRequests seen;  // outlives the gateway's loop
  Gateway g;

  explicit PassthroughGateway(config::Environment env, std::string response = canned_response(200, "{}")) {
    for (auto& [name, value] : env)
      if (name.ends_with("_API_URL")) value = g.upstream->url(value);
    g.load(env);
    g.upstream->serve(record_and_answer(seen, [response](const SeenRequest&) { return response; }));
  }

  template <class Handler>
  Reply call(Handler handler, std::string_view text) {
    auto& ex = g.start(text);
    g.run([&]() -> awaitable<void> { co_await handler(ex); });
    return g.reply();
  }
  const SeenRequest& only_request() {
    REQUIRE(seen.size() == 1);
    return seen[0];
  }
};

const config::Environment kOpenAI{{"OPENAI_API_URL", "/v1"}, {"OPENAI_API_KEY", "sk-test"}};
const config::Environment kAnthropic{{"ANTHROPIC_API_URL", "/v1"}, {"ANTHROPIC_API_KEY", "sk-ant"}};

config::Environment both(config::Environment a, const config::Environment& b) {
  a.insert(b.begin(), b.end());
  return a;
}

// True when `body` is Anthropic's error shape with `message`.
bool anthropic_error(const std::string& body, const std::string& message) {
  auto doc = Json::parse(body, nullptr, false);
  CAPTURE(body);
  return doc.is_object() && doc["type"] == "error" && doc["error"].is_object() &&
         doc["error"]["type"] == "invalid_request_error" && doc["error"]["message"] == message;
}

}  // namespace

TEST_SUITE("handle_passthrough") {
  TEST_CASE("/proxy/{provider}/{path}?query: <base>/<path>?query, method, headers and body as they are") {
    const std::string body = "raw bytes, not JSON {\"model\":\"openai/x\"}\r\n\x01\x7f";
    PassthroughGateway pg{kOpenAI, canned_response(201, "created\n", "text/plain; charset=x-custom")};
    auto r = pg.call(handle_proxy, request("PUT", "/proxy/openai/files/abc?purpose=fine-tune&limit=2",
                                           std::string{kCallerCredentials} +
                                               "Content-Type: application/octet-stream\r\nX-Custom: kept\r\n",
                                           body));
    const auto& up = pg.only_request();
    CHECK(up.method() == http::verb::put);
    CHECK(up.target() == "/v1/files/abc?purpose=fine-tune&limit=2");
    CHECK(up.body() == body);
    CHECK(up[http::field::content_type] == "application/octet-stream");
    CHECK(up["X-Custom"] == "kept");
    CHECK(up[http::field::authorization] == "Bearer sk-test");
    CHECK(up.count("x-api-key") == 0);
    CHECK(up["X-Request-Id"] == "req-test-1");
    CHECK(r.status() == 201);
    CHECK(r.field("Content-Type") == "text/plain; charset=x-custom");
    CHECK(r.body == "created\n");
    CHECK(pg.g.ctx.provider == "openai");
  }

  TEST_CASE("/proxy/anthropic/...: x-api-key and anthropic-version added, the caller's credentials dropped") {
    PassthroughGateway pg{kAnthropic, canned_response(200, R"({"data":[]})")};
    auto r = pg.call(handle_proxy, request("GET", "/proxy/anthropic/models", kCallerCredentials));
    const auto& up = pg.only_request();
    CHECK(up.method() == http::verb::get);
    CHECK(up.target() == "/v1/models");
    CHECK(up["x-api-key"] == "sk-ant");
    CHECK(up["anthropic-version"] == "2023-06-01");
    CHECK(up.count(http::field::authorization) == 0);
    CHECK(r.status() == 200);
    CHECK(r.body == R"({"data":[]})");
  }

  TEST_CASE("/proxy/...: an upstream error comes back with its status and body as they are") {
    const std::string error = R"({"error":{"message":"No such file","type":"invalid_request_error"}})";
    PassthroughGateway pg{kOpenAI, canned_response(404, error)};
    auto r = pg.call(handle_proxy, request("DELETE", "/proxy/openai/files/nope"));
    CHECK(pg.only_request().method() == http::verb::delete_);
    CHECK(r.status() == 404);
    CHECK(r.body == error);
  }

  // A HEAD's answer declares the length a GET would get, and has no body to wait for (RFC 9110 9.3.2).
  TEST_CASE("/proxy/... HEAD: the upstream's head comes back at once, without waiting for a body") {
    // A HEAD response declares the length of the body a GET would get, and has none.
    PassthroughGateway pg{both(kOpenAI, {{"CLIENT_TIMEOUT", "1s"}}),
                          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"};
    auto t0 = std::chrono::steady_clock::now();
    auto& ex = pg.g.start(request("HEAD", "/proxy/openai/models"));
    pg.g.run([&]() -> awaitable<void> { co_await handle_proxy(ex); });
    CHECK(std::chrono::steady_clock::now() - t0 < 500ms);
    CHECK(pg.only_request().method() == http::verb::head);
    CHECK(pg.g.ctx.status == 200);
    CHECK(pg.g.ctx.upstream_error_reason.empty());
  }

  TEST_CASE("/proxy/...: an unknown provider or one without its key is a 400; no provider at all a 404") {
    PassthroughGateway pg{kOpenAI};
    SUBCASE("unknown provider") {
      auto r = pg.call(handle_proxy, request("GET", "/proxy/nope/models"));
      CHECK(r.status() == 400);
      CHECK(r.body ==
            errors::body(400, errors::code::provider_not_found, errors::provider_not_found("nope")));
    }
    SUBCASE("no key") {
      auto r = pg.call(handle_proxy, request("GET", "/proxy/groq/models", kCallerCredentials));
      CHECK(r.status() == 400);
      CHECK(r.body == errors::body(400, errors::code::provider_not_configured,
                                   errors::provider_needs_key("groq", "GROQ_API_KEY")));
    }
    SUBCASE("no provider") {
      auto r = pg.call(handle_proxy, request("GET", "/proxy/"));
      CHECK(r.status() == 404);
      CHECK(r.body == errors::body(404, errors::code::route_not_found, errors::route_not_found()));
    }
    CHECK(pg.g.upstream->accepted() == 0);
  }

  TEST_CASE(
      "/v1/messages goes to anthropic's /messages with its key; the body as sent, bar the model prefix") {
    PassthroughGateway pg{
        kAnthropic, canned_response(200, R"({"type":"message","content":[{"type":"text","text":"hi"}]})")};
    std::string model, sent_model, query;
    SUBCASE("an unprefixed model") {
      model = sent_model = "claude-sonnet-4";
    }
    SUBCASE("?provider=anthropic") {
      model = sent_model = "claude-sonnet-4";
      query = "?provider=anthropic";
    }
    SUBCASE("a prefixed model") {
      model = "anthropic/claude-sonnet-4";
      sent_model = "claude-sonnet-4";
    }
    auto body = [](std::string_view m) {
      return R"({ "model" : ")" + std::string{m} +
             R"(",  "max_tokens":16,"messages":[{"role":"user","content":"hi"}]})";
    };
    auto r =
        pg.call(handle_messages, request("POST", "/v1/messages" + query,
                                         std::string{kCallerCredentials} +
                                             "Content-Type: application/json\r\nanthropic-beta: tools\r\n",
                                         body(model)));
    const auto& up = pg.only_request();
    CHECK(up.method() == http::verb::post);
    CHECK(up.target() == "/v1/messages");
    CHECK(up.body() == body(sent_model));
    CHECK(up["x-api-key"] == "sk-ant");
    CHECK(up["anthropic-version"] == "2023-06-01");
    CHECK(up["anthropic-beta"] == "tools");
    CHECK(up.count(http::field::authorization) == 0);
    CHECK(r.status() == 200);
    CHECK(r.body == R"({"type":"message","content":[{"type":"text","text":"hi"}]})");
    CHECK(pg.g.ctx.provider == "anthropic");
    CHECK(pg.g.ctx.model == "claude-sonnet-4");
  }

  TEST_CASE("/v1/messages with stream: the provider's events relayed as they come") {
    const std::string events =
        "event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: message_stop\ndata: "
        "{\"type\":\"message_stop\"}\n\n";
    PassthroughGateway pg{
        kAnthropic,
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
            chunk(events) + "0\r\n\r\n"};
    auto r = pg.call(handle_messages, request("POST", "/v1/messages", "Content-Type: application/json\r\n",
                                              R"({"model":"claude-sonnet-4","stream":true,"messages":[]})"));
    CHECK(pg.only_request().body() == R"({"model":"claude-sonnet-4","stream":true,"messages":[]})");
    CHECK(r.status() == 200);
    CHECK(r.field("Content-Type") == "text/event-stream");
    CHECK(r.body == events);
  }

  TEST_CASE("/v1/messages for a provider other than anthropic: 400 in Anthropic's error shape") {
    PassthroughGateway pg{both(kAnthropic, both(kOpenAI, {{"GROQ_API_KEY", "gsk-test"}}))};
    std::string target = "/v1/messages", body = R"({"model":"claude-sonnet-4","messages":[]})", message;
    SUBCASE("?provider=openai") {
      target += "?provider=openai";
      message = errors::messages_provider_only("openai");
    }
    SUBCASE("a groq model") {
      body = R"({"model":"groq/llama","messages":[]})";
      message = errors::messages_provider_only("groq");
    }
    SUBCASE("an unknown provider") {
      body = R"({"model":"nope/x","messages":[]})";
      message = errors::provider_not_found("nope");
    }
    SUBCASE("malformed JSON") {
      body = R"({"model":)";
      message = errors::decode_failed();
    }
    auto r = pg.call(handle_messages, request("POST", target, "Content-Type: application/json\r\n", body));
    CHECK(r.status() == 400);
    CHECK(anthropic_error(r.body, message));
    CHECK(pg.g.upstream->accepted() == 0);
  }

  TEST_CASE("/v1/messages without ANTHROPIC_API_KEY, or a refused model: Anthropic's error shape") {
    SUBCASE("no key") {
      PassthroughGateway pg{kOpenAI};
      auto r =
          pg.call(handle_messages, request("POST", "/v1/messages", {}, R"({"model":"claude-sonnet-4"})"));
      CHECK(r.status() == 400);
      CHECK(anthropic_error(r.body, errors::provider_needs_key("anthropic", "ANTHROPIC_API_KEY")));
      CHECK(pg.g.upstream->accepted() == 0);
    }
    SUBCASE("DISALLOWED_MODELS") {
      PassthroughGateway pg{both(kAnthropic, {{"DISALLOWED_MODELS", "claude-sonnet-4"}})};
      auto r = pg.call(handle_messages,
                       request("POST", "/v1/messages", {}, R"({"model":"anthropic/claude-sonnet-4"})"));
      CHECK(r.status() == 403);
      CHECK(anthropic_error(r.body, errors::model_not_allowed("anthropic/claude-sonnet-4")));
      CHECK(pg.g.upstream->accepted() == 0);
    }
  }

  TEST_CASE(
      "/v1/responses goes to openai's /responses with its key; the body as sent, bar the model prefix") {
    PassthroughGateway pg{kOpenAI, canned_response(200, R"({"object":"response","output":[]})")};
    std::string model, sent_model;
    SUBCASE("an unprefixed model") {
      model = sent_model = "gpt-4o";
    }
    SUBCASE("a prefixed model") {
      model = "openai/gpt-4o";
      sent_model = "gpt-4o";
    }
    auto body = [](std::string_view m) { return R"({"model": ")" + std::string{m} + R"(", "input":"hi"})"; };
    auto r =
        pg.call(handle_responses,
                request("POST", "/v1/responses",
                        std::string{kCallerCredentials} + "Content-Type: application/json\r\n", body(model)));
    const auto& up = pg.only_request();
    CHECK(up.target() == "/v1/responses");
    CHECK(up.body() == body(sent_model));
    CHECK(up[http::field::authorization] == "Bearer sk-test");
    CHECK(up.count("x-api-key") == 0);
    CHECK(r.status() == 200);
    CHECK(r.body == R"({"object":"response","output":[]})");
    CHECK(pg.g.ctx.provider == "openai");
    CHECK(pg.g.ctx.model == "gpt-4o");
  }

  TEST_CASE("/v1/responses for a provider other than openai: 400, not in Anthropic's shape") {
    PassthroughGateway pg{both(kOpenAI, kAnthropic)};
    auto r = pg.call(handle_responses, request("POST", "/v1/responses?provider=anthropic", {},
                                               R"({"model":"claude","input":"hi"})"));
    CHECK(r.status() == 400);
    CHECK(r.body ==
          errors::body(400, errors::code::api_not_served, errors::responses_provider_only("anthropic")));
    CHECK_FALSE(anthropic_error(r.body, errors::responses_provider_only("anthropic")));
    CHECK(pg.g.upstream->accepted() == 0);
  }
}
