#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "mock/router.hpp"

using namespace igw::mock;
using nlohmann::json;

namespace {

Request post(std::string target, std::string body, Headers headers = {}) {
  return Request{"POST", std::move(target), std::move(headers), std::move(body)};
}

const std::string kChat = R"({"model":"mock-gpt-4o","messages":[{"role":"user","content":"a b c"}]})";
const std::string kStream =
    R"({"model":"mock-gpt-4o","stream":true,"messages":[{"role":"user","content":"a"}]})";

}  // namespace

TEST_SUITE("mock/router") {
  TEST_CASE("routes") {
    Options o;
    o.tokens = 4;
    State state(10);
    Router router(o, state);
    std::mt19937_64 rng(1);
    auto r = router.handle(post("/v1/chat/completions", kChat), rng);
    CHECK(r.status == 200);
    CHECK_FALSE(r.stream);
    CHECK(json::parse(r.body)["choices"][0]["message"]["content"] == "a b c a");
    CHECK(router.handle(Request{"GET", "/v1/models?x=1", {}, ""}, rng).status == 200);
    CHECK(router.handle(Request{"GET", "/health", {}, ""}, rng).body == R"({"message":"OK"})");
    CHECK(router.handle(Request{"GET", "/v1/chat/completions", {}, ""}, rng).status == 405);
    CHECK(router.handle(Request{"GET", "/elsewhere", {}, ""}, rng).status == 404);
    // Any prefix before the OpenAI path works (cohere's /compatibility/v1, cloudflare's /ai/v1).
    CHECK(router.handle(post("/compatibility/v1/chat/completions", kChat), rng).status == 200);
    auto s = router.handle(post("/v1/chat/completions", kStream), rng);
    CHECK(s.stream);
    CHECK(s.content_type == "text/event-stream");
    CHECK(s.events.back() == "data: [DONE]\n\n");
    CHECK(router.handle(post("/v1/chat/completions", "{"), rng).status == 400);
    auto unknown = router.handle(post("/v1/chat/completions", R"({"model":"zzz","messages":[]})"), rng);
    CHECK(unknown.status == 404);
    CHECK(json::parse(unknown.body)["error"]["message"].get<std::string>().find("zzz") != std::string::npos);
    CHECK(json::parse(router.handle(post("/v1/messages", "{"), rng).body)["type"] == "error");
  }

  TEST_CASE("per-request header overrides") {
    Options o;
    State state(10);
    Router router(o, state);
    std::mt19937_64 rng(1);
    auto r = router.handle(post("/v1/chat/completions", kStream,
                                {{"x-mock-tokens", "2"},
                                 {"x-mock-fail-after-chunks", "1"},
                                 {"x-mock-token-delay-ms", "7"},
                                 {"x-mock-ttft-ms", "9"},
                                 {"x-mock-latency-ms", "3"}}),
                           rng);
    CHECK(r.events.size() == 5);  // role, 2 tokens, finish, [DONE]
    CHECK(r.fail_after_chunks == 1);
    CHECK(r.token_delay == Millis(7));
    CHECK(r.ttft == Millis(9));
    CHECK(r.latency == Millis(3));
    auto forced = router.handle(post("/v1/chat/completions", kChat, {{"x-mock-status", "429"}}), rng);
    CHECK(forced.status == 429);
    auto junk = router.handle(post("/v1/chat/completions", kChat, {{"x-mock-tokens", "many"}}), rng);
    CHECK(junk.status == 200);
  }

  TEST_CASE("a non-streamed answer takes as long as generating it") {
    Options o;
    o.tokens = 3;
    o.ttft = Millis(100);
    o.token_delay = Millis(10);
    o.latency = Millis(5);
    State state(10);
    Router router(o, state);
    std::mt19937_64 rng(1);
    CHECK(router.handle(post("/v1/chat/completions", kChat), rng).latency == Millis(125));
  }

  TEST_CASE("error rate injects the configured status, about that often") {
    Options o;
    o.error_rate = 0.25;
    o.error_status = 503;
    State state(0);
    Router router(o, state);
    std::mt19937_64 rng(42);
    int errors = 0;
    for (int i = 0; i < 1000; ++i) {
      auto r = router.handle(post("/v1/chat/completions", kChat), rng);
      if (r.status == 503)
        ++errors;
      else
        CHECK(r.status == 200);
    }
    CHECK(errors > 200);
    CHECK(errors < 300);
    CHECK(json::parse(state.stats_json())["errors_injected"] == errors);
  }

  TEST_CASE("/mock/requests and /mock/stats") {
    Options o;
    State state(2);
    Router router(o, state);
    std::mt19937_64 rng(1);
    for (int i = 0; i < 3; ++i)
      router.handle(
          post("/v1/chat/completions?n=" + std::to_string(i), kChat, {{"authorization", "Bearer k"}}), rng);
    auto reqs = json::parse(router.handle(Request{"GET", "/mock/requests", {}, ""}, rng).body)["requests"];
    REQUIRE(reqs.size() == 2);  // only the last N are kept
    CHECK(reqs[1]["path"] == "/v1/chat/completions?n=2");
    CHECK(reqs[1]["headers"]["authorization"] == "Bearer k");
    CHECK(reqs[1]["body"] == kChat);
    router.handle(Request{"DELETE", "/mock/requests", {}, ""}, rng);
    CHECK(json::parse(router.handle(Request{"GET", "/mock/requests", {}, ""}, rng).body)["requests"].empty());
    state.stream_opened();
    state.stream_opened();
    state.stream_cancelled("/v1/chat/completions", 3);
    auto stats = json::parse(router.handle(Request{"GET", "/mock/stats", {}, ""}, rng).body);
    CHECK(stats["open_streams"] == 1);
    CHECK(stats["cancelled_streams"] == 1);
    CHECK(stats["cancellations"][0]["events_sent"] == 3);
    CHECK(stats["cancellations"][0]["unix_ms"].get<double>() > 1.6e12);
    CHECK(stats["requests_total"] == 3);
  }
}
