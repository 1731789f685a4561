#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

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

constexpr std::string_view kGetModels = "GET /v1/models HTTP/1.1\r\nHost: gw\r\n\r\n";

// A port nothing listens on: connecting is refused.
std::uint16_t closed_port() {
  asio::io_context io;
  tcp::acceptor a{io, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
  return a.local_endpoint().port();
}

// The fake upstream plays every provider, one base path each; a path without an answer gets a 404.
struct ModelsGateway {
  SeenRequests seen;
  std::map<std::string, std::string> answers;  // target -> whole response
  std::chrono::milliseconds delay{0};          // before each answer
  Gateway g;

  ModelsGateway() {
    g.upstream->serve([this](Socket& s, int) -> awaitable<void> {
      beast::flat_buffer buffer;
      while (auto req = co_await read_request(s, buffer)) {
        seen.push_back(*req);
        if (delay > 0ms) co_await pause(delay);
        // (No ?: with class temporaries in coroutines: GCC 12 destroys them twice.)
        std::string response = canned_response(404, "{}");
        if (auto it = answers.find(std::string{req->target()}); it != answers.end()) response = it->second;
        co_await send(s, response);
      }
    });
  }

  Reply get(std::string_view request = kGetModels) {
    auto& ex = g.start(request);
    g.run([&]() -> awaitable<void> { co_await handle_models(ex); });
    return g.reply();
  }
  std::set<std::string> targets_asked() const {
    std::set<std::string> out;
    for (const auto& r : seen) out.emplace(r.target());
    return out;
  }
};

std::string model_list(std::initializer_list<Json> models) {
  Json data = Json::array();
  for (const auto& m : models) data.push_back(m);
  return Json{{"object", "list"}, {"data", data}}.dump();
}

// The ids in a merged list, sorted.
std::vector<std::string> ids(const Json& list) {
  std::vector<std::string> out;
  for (const auto& m : list["data"]) out.push_back(m["id"]);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_SUITE("handle_models") {
  TEST_CASE("every enabled provider is asked; ids prefixed with the provider, served_by added") {
    ModelsGateway mg;
    mg.answers["/v1/models"] = canned_response(
        200,
        model_list({{{"id", "gpt-4o"}, {"object", "model"}, {"created", 1700000000}, {"owned_by", "openai"}},
                    {{"id", "o3"}, {"object", "model"}}}));
    mg.answers["/openai/v1/models"] =
        canned_response(200, model_list({{{"id", "meta-llama/llama-4"}, {"owned_by", "Meta"}}}));
    mg.answers["/ollama/models"] = canned_response(200, model_list({{{"id", "llama3"}}}));
    mg.g.load({{"OPENAI_API_URL", mg.g.upstream->url("/v1")},
               {"OPENAI_API_KEY", "sk-test"},
               {"GROQ_API_URL", mg.g.upstream->url("/openai/v1")},
               {"GROQ_API_KEY", "gsk-test"},
               {"OLLAMA_API_URL", mg.g.upstream->url("/ollama")}});
    // Exactly the enabled providers (whatever else the defaults enable would point elsewhere).
    std::set<std::string> enabled;
    for (const auto& p : mg.g.state.providers)
      if (p.enabled) enabled.emplace(p.def->id);
    REQUIRE(enabled == std::set<std::string>{"groq", "ollama", "openai"});

    auto r = mg.get();
    CHECK(r.status() == 200);
    CHECK(r.field("Content-Type") == "application/json");
    CHECK(mg.targets_asked() == std::set<std::string>{"/v1/models", "/openai/v1/models", "/ollama/models"});
    for (const auto& req : mg.seen) {
      CHECK(req.method() == http::verb::get);
      CHECK(req["X-Request-Id"] == "req-test-1");
    }
    auto list = Json::parse(r.body);
    CHECK(list["object"] == "list");
    CHECK(ids(list) ==
          std::vector<std::string>{"groq/meta-llama/llama-4", "ollama/llama3", "openai/gpt-4o", "openai/o3"});
    for (const auto& m : list["data"]) {
      CAPTURE(m.dump());
      CHECK(m["object"] == "model");
      CHECK(m["id"].get<std::string>().starts_with(m["served_by"].get<std::string>() + "/"));
    }
    // What the provider said is kept; what it left out is filled in.
    for (const auto& m : list["data"]) {
      if (m["id"] == "openai/gpt-4o") {
        CHECK(m == Json{{"id", "openai/gpt-4o"},
                        {"object", "model"},
                        {"created", 1700000000},
                        {"owned_by", "openai"},
                        {"served_by", "openai"}});
      } else if (m["id"] == "groq/meta-llama/llama-4") {
        CHECK(m["owned_by"] == "Meta");
        CHECK(m["created"] == 0);
      } else if (m["id"] == "ollama/llama3") {
        CHECK(m["owned_by"] == "ollama");
      }
    }
  }

  TEST_CASE("the providers are asked at once, not one after the other") {
    ModelsGateway mg;
    mg.delay = 300ms;
    mg.answers["/a/models"] = canned_response(200, model_list({{{"id", "a"}}}));
    mg.answers["/b/models"] = canned_response(200, model_list({{{"id", "b"}}}));
    mg.answers["/c/models"] = canned_response(200, model_list({{{"id", "c"}}}));
    mg.g.load({{"OPENAI_API_URL", mg.g.upstream->url("/a")},
               {"OPENAI_API_KEY", "k"},
               {"GROQ_API_URL", mg.g.upstream->url("/b")},
               {"GROQ_API_KEY", "k"},
               {"OLLAMA_API_URL", mg.g.upstream->url("/c")}});
    auto t0 = std::chrono::steady_clock::now();
    auto r = mg.get();
    auto took = std::chrono::steady_clock::now() - t0;
    CHECK(ids(Json::parse(r.body)) == std::vector<std::string>{"groq/b", "ollama/c", "openai/a"});
    CHECK(took < 750ms);  // one after the other: 900 ms or more
  }

  TEST_CASE("?provider=X asks only X") {
    ModelsGateway mg;
    mg.answers["/v1/models"] = canned_response(200, model_list({{{"id", "gpt-4o"}}}));
    mg.answers["/openai/v1/models"] = canned_response(200, model_list({{{"id", "llama"}}}));
    mg.g.load({{"OPENAI_API_URL", mg.g.upstream->url("/v1")},
               {"OPENAI_API_KEY", "sk-test"},
               {"GROQ_API_URL", mg.g.upstream->url("/openai/v1")},
               {"GROQ_API_KEY", "gsk-test"}});
    auto r = mg.get("GET /v1/models?provider=groq HTTP/1.1\r\nHost: gw\r\n\r\n");
    CHECK(r.status() == 200);
    CHECK(mg.targets_asked() == std::set<std::string>{"/openai/v1/models"});
    CHECK(ids(Json::parse(r.body)) == std::vector<std::string>{"groq/llama"});
    CHECK(mg.g.ctx.provider == "groq");
  }

  TEST_CASE("?provider= naming an unknown provider or one without its key: 400, nobody asked") {
    ModelsGateway mg;
    mg.g.load({{"OPENAI_API_URL", mg.g.upstream->url("/v1")}, {"OPENAI_API_KEY", "sk-test"}});
    SUBCASE("unknown") {
      auto r = mg.get("GET /v1/models?provider=nope HTTP/1.1\r\nHost: gw\r\n\r\n");
      CHECK(r.status() == 400);
      CHECK(r.body ==
            errors::body(400, errors::code::provider_not_found, errors::provider_not_found("nope")));
    }
    SUBCASE("no key") {
      auto r = mg.get("GET /v1/models?provider=mistral HTTP/1.1\r\nHost: gw\r\n\r\n");
      CHECK(r.status() == 400);
      CHECK(r.body == errors::body(400, errors::code::provider_not_configured,
                                   errors::provider_needs_key("mistral", "MISTRAL_API_KEY")));
    }
    CHECK(mg.g.upstream->accepted() == 0);
  }

  TEST_CASE("a provider that fails is skipped; the others are still listed") {
    ModelsGateway mg;
    mg.answers["/v1/models"] = canned_response(200, model_list({{{"id", "gpt-4o"}}}));
    std::string failing_url = mg.g.upstream->url("/broken");
    SUBCASE("connection refused") {
      failing_url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/v1";
    }
    SUBCASE("500") {
      mg.answers["/broken/models"] = canned_response(500, R"({"error":"down"})");
    }
    SUBCASE("200 with something that is not a model list") {
      mg.answers["/broken/models"] = canned_response(200, R"({"models":["x"]})");
    }
    SUBCASE("200 with a body that is not JSON") {
      mg.answers["/broken/models"] = canned_response(200, "<html>", "text/html");
    }
    mg.g.load({{"OPENAI_API_URL", mg.g.upstream->url("/v1")},
               {"OPENAI_API_KEY", "sk-test"},
               {"GROQ_API_URL", failing_url},
               {"GROQ_API_KEY", "gsk-test"}});
    auto r = mg.get();
    CHECK(r.status() == 200);
    CHECK(ids(Json::parse(r.body)) == std::vector<std::string>{"openai/gpt-4o"});
  }

  TEST_CASE("every provider failing: 200 with an empty list") {
    ModelsGateway mg;
    mg.g.load({{"OPENAI_API_URL", "http://127.0.0.1:" + std::to_string(closed_port()) + "/v1"},
               {"OPENAI_API_KEY", "sk-test"}});
    auto r = mg.get();
    CHECK(r.status() == 200);
    CHECK(Json::parse(r.body) == Json{{"object", "list"}, {"data", Json::array()}});
  }

  // A failing provider is logged when it starts failing and when it recovers, not on every listing: the
  // state that decides it, per provider.
  TEST_CASE("a provider's failing state turns on with its first failure and off with its recovery") {
    ModelsGateway mg;
    mg.answers["/v1/models"] = canned_response(500, R"({"error":"down"})");
    mg.g.load({{"OPENAI_API_URL", mg.g.upstream->url("/v1")}, {"OPENAI_API_KEY", "sk-test"}});
    const auto index = mg.g.provider("openai").index;
    auto& failing = mg.g.state.models_failing[index];
    auto list = [&] {  // one listing on the same client connection (the replies are read at the end)
      auto& ex = mg.g.start(kGetModels);
      mg.g.run([&]() -> awaitable<void> { co_await handle_models(ex); });
    };
    CHECK_FALSE(failing.load());
    list();
    CHECK(failing.load());
    list();
    CHECK(failing.load());  // still failing: nothing new to say
    mg.answers["/v1/models"] = canned_response(200, model_list({{{"id", "gpt-4o"}}}));
    list();
    CHECK_FALSE(failing.load());
    auto replies = mg.g.replies();
    REQUIRE(replies.size() == 3);
    CHECK(ids(Json::parse(replies[2].body)) == std::vector<std::string>{"openai/gpt-4o"});
  }
}
