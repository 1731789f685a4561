#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>

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

const json kWeather = json::parse(R"([{"type":"function","function":{"name":"get_weather",
  "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},
  {"type":"function","function":{"name":"get_time"}}])");
const json kFind = json::parse(R"([{"name":"find","input_schema":{"type":"object",
  "properties":{"q":{"type":"string"}}}}])");

std::string openai_body(const json& messages, bool stream = false) {
  return json{{"model", "mock-gpt-4o"}, {"stream", stream}, {"tools", kWeather}, {"messages", messages}}
      .dump();
}
std::string anthropic_body(const json& messages, bool stream = false) {
  return json{{"model", "mock-claude-sonnet"},
              {"max_tokens", 100},
              {"stream", stream},
              {"tools", kFind},
              {"messages", messages}}
      .dump();
}

// The text of a streamed answer: its content / text deltas joined.
std::string streamed_text(const Reply& r) {
  std::string text;
  for (const auto& e : r.events) {
    auto pos = e.find("data: {");
    if (pos == std::string::npos) continue;
    auto d = json::parse(e.substr(pos + 6));
    if (d.contains("choices") && !d["choices"].empty())
      text += d["choices"][0]["delta"].value("content", json("")).get<std::string>();
    if (d.value("type", "") == "content_block_delta") text += d["delta"].value("text", "");
  }
  return text;
}

// Plays a gateway's agent loop over OpenAI chat: runs each call the mock makes ("result <n>") until it
// answers with text. Returns the call ids in order; `messages` ends with the tool results.
std::vector<std::string> openai_agent_loop(Router& router, std::mt19937_64& rng, json& messages,
                                           const Headers& headers) {
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    auto r = router.handle(post("/v1/chat/completions", openai_body(messages), headers), rng);
    REQUIRE(r.status == 200);
    auto choice = json::parse(r.body)["choices"][0];
    if (choice["finish_reason"] != "tool_calls") break;
    const auto& call = choice["message"]["tool_calls"][0];
    ids.push_back(call["id"]);
    messages.push_back(choice["message"]);
    messages.push_back(
        {{"role", "tool"}, {"tool_call_id", call["id"]}, {"content", "result " + std::to_string(i)}});
  }
  return ids;
}

// The same over Anthropic messages: tool_use blocks answered by user messages of tool_result blocks.
std::vector<std::string> anthropic_agent_loop(Router& router, std::mt19937_64& rng, json& messages,
                                              const Headers& headers) {
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    auto r = router.handle(post("/v1/messages", anthropic_body(messages), headers), rng);
    REQUIRE(r.status == 200);
    auto m = json::parse(r.body);
    if (m["stop_reason"] != "tool_use") break;
    ids.push_back(m["content"][0]["id"]);
    messages.push_back({{"role", "assistant"}, {"content", m["content"]}});
    messages.push_back({{"role", "user"},
                        {"content", json::array({{{"type", "tool_result"},
                                                  {"tool_use_id", m["content"][0]["id"]},
                                                  {"content", "result " + std::to_string(i)}}})}});
  }
  return ids;
}

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

  TEST_CASE("/mcp: routed to the MCP server, recorded and counted like the other routes") {
    Options o;
    State state(10);
    Router router(o, state);
    std::mt19937_64 rng(1);
    const Headers client{{"accept", "application/json, text/event-stream"},
                         {"content-type", "application/json"}};
    const std::string init =
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})";
    auto r = router.handle(post("/mcp", init, client), rng);
    REQUIRE(r.status == 200);
    CHECK(json::parse(r.body)["result"]["serverInfo"]["name"] == "igw-mock");
    REQUIRE(r.headers.size() == 1);
    CHECK(r.headers[0].first == "Mcp-Session-Id");
    CHECK(router.handle(Request{"GET", "/mcp", client, ""}, rng).status == 405);
    CHECK(router.handle(post("/v1/mcp", init, client), rng).status == 404);  // only /mcp itself
    auto reqs = json::parse(router.handle(Request{"GET", "/mock/requests", {}, ""}, rng).body)["requests"];
    REQUIRE(reqs.size() == 3);
    CHECK(reqs[0]["path"] == "/mcp");
    CHECK(reqs[0]["body"] == init);
    auto stats = json::parse(state.stats_json());
    CHECK(stats["requests_total"] == 3);
    CHECK(stats["mcp_requests"] == 2);
    CHECK(stats["mcp_sessions"] == 1);
  }

  TEST_CASE("agent loop, x-mock-tool-rounds 3: three calls with distinct ids, then the results quoted") {
    Options o;
    State state(10);
    Router router(o, state);
    std::mt19937_64 rng(1);
    const Headers three{{"x-mock-tool-rounds", "3"}};
    const std::string quote = "Tool results: result 0 | result 1 | result 2";

    json messages = json::array({{{"role", "user"}, {"content", "call get_weather for Paris"}}});
    auto ids = openai_agent_loop(router, rng, messages, three);
    CHECK(ids.size() == 3);
    CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == 3);
    auto text = router.handle(post("/v1/chat/completions", openai_body(messages), three), rng);
    auto choice = json::parse(text.body)["choices"][0];
    CHECK(choice["finish_reason"] == "stop");
    CHECK(choice["message"]["content"] == quote);
    CHECK(json::parse(text.body)["usage"]["completion_tokens"] == 10);
    auto streamed = router.handle(post("/v1/chat/completions", openai_body(messages, true), three), rng);
    CHECK(streamed_text(streamed) == quote);

    json conversation = json::array({{{"role", "user"}, {"content", "please call find"}}});
    ids = anthropic_agent_loop(router, rng, conversation, three);
    CHECK(ids.size() == 3);
    CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == 3);
    auto m = json::parse(router.handle(post("/v1/messages", anthropic_body(conversation), three), rng).body);
    CHECK(m["stop_reason"] == "end_turn");
    CHECK(m["content"][0]["text"] == quote);
    auto events = router.handle(post("/v1/messages", anthropic_body(conversation, true), three), rng);
    CHECK(streamed_text(events) == quote);
  }

  TEST_CASE("agent loop: one round by default, Options::tool_rounds otherwise; the header overrides both") {
    State state(10);
    std::mt19937_64 rng(1);
    const json start = json::array({{{"role", "user"}, {"content", "use the tool"}}});
    auto rounds = [&](const Options& o, const Headers& headers) {
      Router router(o, state);
      json messages = start;
      return openai_agent_loop(router, rng, messages, headers).size();
    };
    Options o;
    CHECK(rounds(o, {}) == 1);
    CHECK(rounds(o, {{"x-mock-tool-rounds", "2"}}) == 2);
    CHECK(rounds(o, {{"x-mock-tool-rounds", "-1"}}) == 1);  // not a count: ignored
    CHECK(rounds(o, {{"x-mock-tool-rounds", "many"}}) == 1);
    o.tool_rounds = 4;
    CHECK(rounds(o, {}) == 4);
    CHECK(rounds(o, {{"x-mock-tool-rounds", "1"}}) == 1);
    o.tool_rounds = 0;
    CHECK(rounds(o, {}) == 0);
  }

  TEST_CASE("x-mock-tool-rounds 0 answers with text at once") {
    Options o;
    o.tokens = 3;
    State state(10);
    Router router(o, state);
    std::mt19937_64 rng(1);
    const json ask = json::array({{{"role", "user"}, {"content", "call get_weather now"}}});
    auto r =
        router.handle(post("/v1/chat/completions", openai_body(ask), {{"x-mock-tool-rounds", "0"}}), rng);
    auto choice = json::parse(r.body)["choices"][0];
    CHECK(choice["finish_reason"] == "stop");
    CHECK(choice["message"]["content"] == "call get_weather now");
    const json find = json::array({{{"role", "user"}, {"content", "call find"}}});
    auto m = json::parse(
        router.handle(post("/v1/messages", anthropic_body(find), {{"x-mock-tool-rounds", "0"}}), rng).body);
    CHECK(m["stop_reason"] == "end_turn");
    CHECK(m["content"][0]["type"] == "text");
  }

  TEST_CASE("x-mock-tool picks the tool, x-mock-tool-arguments its arguments; bad arguments are a 400") {
    Options o;
    State state(10);
    Router router(o, state);
    std::mt19937_64 rng(1);
    const json talk = json::array({{{"role", "user"}, {"content", "just talk"}}});
    auto call_of = [&](const Reply& r) {
      REQUIRE(r.status == 200);
      return json::parse(r.body)["choices"][0]["message"]["tool_calls"][0]["function"];
    };
    auto f = call_of(
        router.handle(post("/v1/chat/completions", openai_body(talk), {{"x-mock-tool", "get_time"}}), rng));
    CHECK(f["name"] == "get_time");
    CHECK(f["arguments"] == "{}");
    const std::string args = R"({"city": "Lyon", "days": [1, 2]})";
    f = call_of(router.handle(post("/v1/chat/completions", openai_body(talk),
                                   {{"x-mock-tool", "get_weather"}, {"x-mock-tool-arguments", args}}),
                              rng));
    CHECK(f["name"] == "get_weather");
    CHECK(f["arguments"] == args);
    // Not offered: ignored, and the prompt decides (here: no tool).
    auto text =
        router.handle(post("/v1/chat/completions", openai_body(talk), {{"x-mock-tool", "nope"}}), rng);
    CHECK(json::parse(text.body)["choices"][0]["finish_reason"] == "stop");
    const json find = json::array({{{"role", "user"}, {"content", "call find"}}});
    auto m = json::parse(
        router.handle(post("/v1/messages", anthropic_body(find), {{"x-mock-tool-arguments", args}}), rng)
            .body);
    CHECK(m["content"][0]["input"] == json::parse(args));
    auto bad = router.handle(
        post("/v1/chat/completions", openai_body(talk), {{"x-mock-tool-arguments", "[1, 2]"}}), rng);
    CHECK(bad.status == 400);
    CHECK(json::parse(bad.body)["error"]["message"] ==
          "x-mock-tool-arguments: expected a JSON object, got [1, 2]");
    auto bad_anthropic =
        router.handle(post("/v1/messages", anthropic_body(find), {{"x-mock-tool-arguments", "{"}}), rng);
    CHECK(bad_anthropic.status == 400);
    CHECK(json::parse(bad_anthropic.body)["type"] == "error");
  }

  TEST_CASE("--api-key: provider routes need the key (Bearer or x-api-key), others stay open") {
    Options o;
    o.api_key = "k";
    State state(10);
    Router router(o, state);
    std::mt19937_64 rng(1);
    auto refused = router.handle(Request{"GET", "/v1/models", {{"authorization", "Bearer wrong"}}, ""}, rng);
    CHECK(refused.status == 401);
    auto error = json::parse(refused.body)["error"];
    CHECK(error["message"] == "Incorrect API key provided");
    CHECK(error["type"] == "invalid_request_error");
    CHECK(error["code"] == "invalid_api_key");
    CHECK(router.handle(Request{"GET", "/v1/models", {}, ""}, rng).status == 401);
    CHECK(router.handle(post("/v1/chat/completions", kChat), rng).status == 401);
    CHECK(router.handle(post("/v1/chat/completions", kChat, {{"x-api-key", "wrong"}}), rng).status == 401);
    CHECK(router.handle(Request{"GET", "/v1/models", {{"authorization", "Bearer k"}}, ""}, rng).status ==
          200);
    CHECK(router.handle(post("/v1/chat/completions", kChat, {{"authorization", "Bearer k"}}), rng).status ==
          200);
    CHECK(
        router
            .handle(post("/v1/messages", anthropic_body(json::array({{{"role", "user"}, {"content", "hi"}}})),
                         {{"x-api-key", "k"}}),
                    rng)
            .status == 200);
    // Not provider routes: the health check, the MCP server and the mock's admin routes.
    CHECK(router.handle(Request{"GET", "/health", {}, ""}, rng).status == 200);
    CHECK(router.handle(Request{"GET", "/mock/stats", {}, ""}, rng).status == 200);
    CHECK(router.handle(post("/mcp", R"({"jsonrpc":"2.0","id":1,"method":"ping"})"), rng).status != 401);
    // No key configured: anything goes.
    Options open;
    Router any(open, state);
    CHECK(any.handle(Request{"GET", "/v1/models", {{"authorization", "Bearer whatever"}}, ""}, rng).status ==
          200);
  }
}
