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

const std::string kCompletion =
    R"({"id":"c1","object":"chat.completion","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}})";
const std::string kEvents =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n";

// A provider answering a stream (asked with Accept: text/event-stream) with kEvents, anything else with
// kCompletion.
std::string provider_answer(const SeenRequest& req) {
  if (req[http::field::accept] == "text/event-stream")
    return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
           chunk(kEvents) + "0\r\n\r\n";
  return canned_response(200, kCompletion);
}

std::string chat_request(std::string_view body, std::string_view query = {}, std::string_view headers = {}) {
  return "POST /v1/chat/completions" + std::string{query} +
         " HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n" + std::string{headers} +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string{body};
}

// A gateway whose providers in `env` point at its fake upstream, which records what it is sent.
struct ChatGateway {
  SeenRequests seen;  // outlives the gateway's loop
  Gateway g;

  // Each "<ID>_API_URL" value in env is a base path on the fake upstream ("/v1" -> http://127.0.0.1:port/v1).
  explicit ChatGateway(config::Environment env) {
    for (auto& [name, value] : env)
      if (name.ends_with("_API_URL")) value = g.upstream->url(value);
    g.load(env);
    g.upstream->serve(record_and_answer(seen, provider_answer));
  }

  Reply chat(std::string_view request) {
    auto& ex = g.start(request);
    g.run([&]() -> awaitable<void> { co_await handle_chat(ex); });
    return g.reply();
  }
  Json upstream_body(std::size_t i = 0) {
    REQUIRE(seen.size() > i);
    return Json::parse(seen[i].body());
  }
};

const config::Environment kOpenAI{{"OPENAI_API_URL", "/v1"}, {"OPENAI_API_KEY", "sk-test"}};

}  // namespace

TEST_SUITE("handle_chat") {
  TEST_CASE("the model's provider prefix is stripped upstream, the rest of the body sent byte for byte") {
    ChatGateway cg{kOpenAI};
    const std::string body =
        R"({"model":"openai/gpt-4o", "messages":[{"role":"user","content":"hi"}],  "temperature":0.5})";
    auto r = cg.chat(chat_request(body));
    REQUIRE(cg.seen.size() == 1);
    const auto& up = cg.seen[0];
    CHECK(up.method() == http::verb::post);
    CHECK(up.target() == "/v1/chat/completions");
    CHECK(up.body() ==
          R"({"model":"gpt-4o", "messages":[{"role":"user","content":"hi"}],  "temperature":0.5})");
    CHECK(up[http::field::content_type] == "application/json");
    CHECK(up[http::field::accept] == "application/json");
    CHECK(up["X-Request-Id"] == "req-test-1");
    CHECK(r.status() == 200);
    CHECK(r.body == kCompletion);
    // What the metrics and the access line are labelled with.
    CHECK(cg.g.ctx.provider == "openai");
    CHECK(cg.g.ctx.model == "gpt-4o");
    CHECK(cg.g.ctx.usage.total_tokens == 3);
  }

  TEST_CASE("a model with several slashes: the first segment is the provider, the rest the model") {
    ChatGateway cg{{{"GROQ_API_URL", "/openai/v1"}, {"GROQ_API_KEY", "gsk-test"}}};
    auto r = cg.chat(chat_request(R"({"model":"groq/meta-llama/llama-4","messages":[]})"));
    CHECK(r.status() == 200);
    REQUIRE(cg.seen.size() == 1);
    CHECK(cg.seen[0].target() == "/openai/v1/chat/completions");
    CHECK(cg.seen[0].body() == R"({"model":"meta-llama/llama-4","messages":[]})");
    CHECK(cg.g.ctx.provider == "groq");
    CHECK(cg.g.ctx.model == "meta-llama/llama-4");
  }

  TEST_CASE("?provider= names the provider and the model goes upstream unchanged, prefix and all") {
    ChatGateway cg{{{"GROQ_API_URL", "/openai/v1"}, {"GROQ_API_KEY", "gsk-test"}}};
    std::string model;
    SUBCASE("a model without a known prefix") {
      model = "meta-llama/llama-4";
    }
    SUBCASE("a model whose prefix names another provider") {
      model = "openai/gpt-4o";
    }
    const std::string body = R"({"model":")" + model + R"(","messages":[]})";
    auto r = cg.chat(chat_request(body, "?provider=groq"));
    CHECK(r.status() == 200);
    REQUIRE(cg.seen.size() == 1);
    CHECK(cg.seen[0].target() == "/openai/v1/chat/completions");
    CHECK(cg.seen[0].body() == body);
    CHECK(cg.g.ctx.provider == "groq");
    CHECK(cg.g.ctx.model == model);
  }

  TEST_CASE("a stream: stream_options.include_usage forced on, Accept: text/event-stream, events relayed") {
    ChatGateway cg{kOpenAI};
    std::string body;
    SUBCASE("no stream_options") {
      body = R"({"model":"openai/m","stream":true,"messages":[]})";
    }
    SUBCASE("include_usage false") {
      body = R"({"model":"openai/m","stream":true,"stream_options":{"include_usage":false},"messages":[]})";
    }
    auto r = cg.chat(chat_request(body));
    auto up = cg.upstream_body();
    CHECK(up["stream_options"] == Json{{"include_usage", true}});
    CHECK(up["model"] == "m");
    CHECK(up["stream"] == true);
    CHECK(up["messages"] == Json::array());
    CHECK(cg.seen[0][http::field::accept] == "text/event-stream");
    CHECK(r.status() == 200);
    CHECK(r.field("Content-Type") == "text/event-stream");
    CHECK(r.body == kEvents);
  }

  TEST_CASE("not a stream: stream_options is left as the caller sent it") {
    ChatGateway cg{kOpenAI};
    auto r = cg.chat(chat_request(R"({"model":"openai/m","stream_options":{"include_usage":false}})"));
    CHECK(r.status() == 200);
    CHECK(cg.upstream_body()["stream_options"] == Json{{"include_usage", false}});
  }

  TEST_CASE("cohere and mistral (accepts_stream_options false): stream_options removed, stream or not") {
    struct Provider {
      std::string id, env, base, chat_target;
    };
    const Provider providers[] = {{"cohere", "COHERE", "", "/compatibility/v1/chat/completions"},
                                  {"mistral", "MISTRAL", "/v1", "/v1/chat/completions"}};
    struct Body {
      bool stream;
      std::string rest;  // after the model
    };
    const Body bodies[] = {{true, R"("stream":true,"messages":[])"},
                           {true, R"("stream":true,"stream_options":{"include_usage":true},"messages":[])"},
                           {false, R"("stream_options":{"include_usage":true},"messages":[])"}};
    for (const auto& p : providers) {
      for (const auto& b : bodies) {
        CAPTURE(p.id);
        CAPTURE(b.rest);
        ChatGateway cg{{{p.env + "_API_URL", p.base}, {p.env + "_API_KEY", "key"}}};
        auto r = cg.chat(chat_request(R"({"model":")" + p.id + R"(/m",)" + b.rest + "}"));
        CHECK(r.status() == 200);
        REQUIRE(cg.seen.size() == 1);
        CHECK(cg.seen[0].target() == p.chat_target);
        auto up = cg.upstream_body();
        CHECK_FALSE(up.contains("stream_options"));
        CHECK(up["model"] == "m");
        CHECK(up.contains("stream") == b.stream);
        CHECK(up["messages"] == Json::array());
        CHECK(r.body == (b.stream ? kEvents : kCompletion));
      }
    }
  }

  TEST_CASE("malformed JSON: 400 Failed to decode request, nothing sent upstream") {
    ChatGateway cg{kOpenAI};
    std::string body;
    SUBCASE("cut short") {
      body = R"({"model":"openai/m")";
    }
    SUBCASE("not JSON") {
      body = "model=openai/m";
    }
    SUBCASE("not an object") {
      body = R"(["openai/m"])";
    }
    auto r = cg.chat(chat_request(body));
    CHECK(r.status() == 400);
    CHECK(r.body == errors::body(400, errors::code::invalid_json, "Failed to decode request"));
    CHECK(cg.g.upstream->accepted() == 0);
  }

  TEST_CASE("an unknown provider: 400 Provider not found, naming it") {
    ChatGateway cg{kOpenAI};
    Reply r;
    SUBCASE("by prefix") {
      r = cg.chat(chat_request(R"({"model":"nope/m"})"));
    }
    SUBCASE("by ?provider=") {
      r = cg.chat(chat_request(R"({"model":"openai/m"})", "?provider=nope"));
    }
    CHECK(r.status() == 400);
    CHECK(r.body == errors::body(400, errors::code::provider_not_found, errors::provider_not_found("nope")));
    CHECK(error_message(r.body).starts_with("Provider not found."));
    CHECK(cg.g.upstream->accepted() == 0);
    CHECK(cg.g.ctx.provider.empty());
  }

  TEST_CASE("no provider resolvable: 400 Unable to determine provider for model") {
    ChatGateway cg{kOpenAI};
    std::string body;
    SUBCASE("a model without prefix") {
      body = R"({"model":"gpt-4o"})";
    }
    SUBCASE("a model starting with a slash") {
      body = R"({"model":"/gpt-4o"})";
    }
    SUBCASE("no model") {
      body = R"({"messages":[]})";
    }
    auto r = cg.chat(chat_request(body));
    CHECK(r.status() == 400);
    CHECK(r.body == errors::body(400, errors::code::provider_undetermined, errors::provider_undetermined()));
    CHECK(error_message(r.body).starts_with("Unable to determine provider for model."));
    CHECK(cg.g.upstream->accepted() == 0);
  }

  TEST_CASE("a provider without its key: 400 naming the key's variable, the provider known for metrics") {
    ChatGateway cg{kOpenAI};
    auto r = cg.chat(chat_request(R"({"model":"groq/llama"})"));
    CHECK(r.status() == 400);
    CHECK(r.body == errors::body(400, errors::code::provider_not_configured,
                                 errors::provider_needs_key("groq", "GROQ_API_KEY")));
    CHECK(cg.g.ctx.provider == "groq");
    CHECK(cg.g.upstream->accepted() == 0);
  }

  TEST_CASE("ALLOWED_MODELS / DISALLOWED_MODELS: 403 naming the model, nothing sent upstream; allow wins") {
    config::Environment env = kOpenAI;
    std::string model;
    bool allowed = false;
    SUBCASE("allow list, full id, listed") {
      env.emplace("ALLOWED_MODELS", "openai/gpt-4o");
      model = "openai/gpt-4o";
      allowed = true;
    }
    SUBCASE("allow list, not listed") {
      env.emplace("ALLOWED_MODELS", "openai/gpt-4o");
      model = "openai/gpt-4o-mini";
    }
    SUBCASE("deny list, unprefixed id, other case") {
      env.emplace("DISALLOWED_MODELS", "GPT-4o");
      model = "openai/gpt-4o";
    }
    SUBCASE("deny list, not listed") {
      env.emplace("DISALLOWED_MODELS", "gpt-4o");
      model = "openai/gpt-4o-mini";
      allowed = true;
    }
    SUBCASE("in both lists: allow wins") {
      env.emplace("ALLOWED_MODELS", "gpt-4o");
      env.emplace("DISALLOWED_MODELS", "gpt-4o");
      model = "openai/gpt-4o";
      allowed = true;
    }
    ChatGateway cg{env};
    auto r = cg.chat(chat_request(R"({"model":")" + model + R"("})"));
    CHECK(cg.g.ctx.provider == "openai");
    CHECK(cg.g.ctx.model == model.substr(7));
    if (allowed) {
      CHECK(r.status() == 200);
      CHECK(cg.seen.size() == 1);
    } else {
      CHECK(r.status() == 403);
      CHECK(r.body == errors::body(403, errors::code::model_not_allowed, errors::model_not_allowed(model)));
      CHECK(cg.g.upstream->accepted() == 0);
    }
  }

  TEST_CASE(
      "the caller's Authorization and x-api-key never reach the upstream; the provider's credential does") {
    constexpr std::string_view kCallerHeaders =
        "Authorization: Bearer caller-token\r\nx-api-key: caller-key\r\nX-Custom: kept\r\n"
        "X-Request-Id: caller-id\r\n";
    SUBCASE("bearer (openai)") {
      ChatGateway cg{kOpenAI};
      auto r = cg.chat(chat_request(R"({"model":"openai/m"})", {}, kCallerHeaders));
      CHECK(r.status() == 200);
      REQUIRE(cg.seen.size() == 1);
      CHECK(cg.seen[0][http::field::authorization] == "Bearer sk-test");
      CHECK(cg.seen[0].count("x-api-key") == 0);
      CHECK(cg.seen[0]["X-Custom"] == "kept");
      CHECK(cg.seen[0].count("X-Request-Id") == 1);
      CHECK(cg.seen[0]["X-Request-Id"] == "req-test-1");  // the request's id, as chosen by the session
    }
    SUBCASE("x-api-key (anthropic)") {
      ChatGateway cg{{{"ANTHROPIC_API_URL", "/v1"}, {"ANTHROPIC_API_KEY", "sk-ant"}}};
      auto r = cg.chat(chat_request(R"({"model":"anthropic/claude"})", {}, kCallerHeaders));
      CHECK(r.status() == 200);
      REQUIRE(cg.seen.size() == 1);
      CHECK(cg.seen[0].count(http::field::authorization) == 0);
      CHECK(cg.seen[0]["x-api-key"] == "sk-ant");
      CHECK(cg.seen[0]["anthropic-version"] == "2023-06-01");
    }
    SUBCASE("no credential (ollama)") {
      ChatGateway cg{{{"OLLAMA_API_URL", "/v1"}}};
      auto r = cg.chat(chat_request(R"({"model":"ollama/llama3"})", {}, kCallerHeaders));
      CHECK(r.status() == 200);
      REQUIRE(cg.seen.size() == 1);
      CHECK(cg.seen[0].count(http::field::authorization) == 0);
      CHECK(cg.seen[0].count("x-api-key") == 0);
      CHECK(cg.seen[0].body() == R"({"model":"llama3"})");
    }
  }
}
