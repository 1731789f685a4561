#include <doctest/doctest.h>

#include "tests/unit/mock/chat_fixtures.hpp"

#include <nlohmann/json.hpp>

#include "mock/responses.hpp"
#include "mock/router.hpp"

using namespace igw::mock;
using nlohmann::json;
using testing::data_of;

namespace {

// "event: <type>\n" of one SSE event.
std::string event_type(const std::string& event) {
  REQUIRE(event.starts_with("event: "));
  return event.substr(7, event.find('\n') - 7);
}

}  // namespace

TEST_SUITE("mock/responses") {
  TEST_CASE("Responses request: input as a string or as items, instructions counted, max_output_tokens") {
    auto s =
        parse_chat(R"({"model":"m","instructions":"be brief","input":"hello there world","stream":true})",
                   Dialect::responses);
    REQUIRE(s);
    CHECK(s->model == "m");
    CHECK(s->stream);
    CHECK(s->prompt == std::vector<std::string>{"hello", "there", "world"});
    CHECK(s->prompt_tokens == 5);
    auto items = parse_chat(R"({"model":"m","max_output_tokens":2,"input":[
      {"role":"developer","content":"sys words"},
      {"type":"message","role":"user","content":[{"type":"input_text","text":"first"},{"type":"input_text","text":"part"}]}]})",
                            Dialect::responses);
    REQUIRE(items);
    CHECK(items->max_tokens == 2);
    CHECK(items->prompt == std::vector<std::string>{"first", "part"});
    CHECK(items->prompt_tokens == 4);
    CHECK(parse_chat(R"({"model":"m","messages":[]})", Dialect::responses).error().starts_with("input:"));
    CHECK(parse_chat(R"({"model":"m","input":5})", Dialect::responses).error().starts_with("input:"));
    // Tools are offered in the request but the mock answers with text.
    auto tools = parse_chat(R"({"model":"m","input":"use the tool",
      "tools":[{"type":"function","name":"f","parameters":{"type":"object"}}]})",
                            Dialect::responses);
    REQUIRE(tools);
    CHECK_FALSE(tools->tool_call);
  }

  TEST_CASE("a response object: resp_ id, one assistant message, usage in the API's names") {
    auto req = testing::stream_request();
    auto a = make_answer(req, 3, 0, 1700000001);
    auto j = json::parse(responses_json(req, a));
    CHECK(j["id"] == "resp_" + a.id);
    CHECK(j["object"] == "response");
    CHECK(j["created_at"] == 1700000001);
    CHECK(j["status"] == "completed");
    CHECK(j["incomplete_details"].is_null());
    CHECK(j["model"] == "mock-gpt-4o");
    REQUIRE(j["output"].size() == 1);
    const auto& item = j["output"][0];
    CHECK(item["type"] == "message");
    CHECK(item["role"] == "assistant");
    CHECK(item["status"] == "completed");
    CHECK(item["content"][0]["type"] == "output_text");
    CHECK(item["content"][0]["text"] == "he\"llo world he\"llo");
    CHECK(j["usage"] == json{{"input_tokens", 2},
                             {"input_tokens_details", {{"cached_tokens", 0}}},
                             {"output_tokens", 3},
                             {"output_tokens_details", {{"reasoning_tokens", 0}}},
                             {"total_tokens", 5}});
  }

  TEST_CASE("max_output_tokens cuts the answer: status incomplete, reason max_output_tokens") {
    auto req = testing::stream_request();
    req.max_tokens = 1;
    auto a = make_answer(req, 3, 0, 0);
    auto j = json::parse(responses_json(req, a));
    CHECK(j["status"] == "incomplete");
    CHECK(j["incomplete_details"]["reason"] == "max_output_tokens");
    CHECK(j["max_output_tokens"] == 1);
    CHECK(j["usage"]["output_tokens"] == 1);
    auto events = responses_stream_events(req, a);
    CHECK(event_type(events.back()) == "response.incomplete");
    CHECK(data_of(events.back())["response"]["status"] == "incomplete");
  }

  TEST_CASE("the event stream: the API's event names in order, rising sequence numbers, usage at the end") {
    auto req = testing::stream_request();
    auto a = make_answer(req, 2, 0, 0);
    auto events = responses_stream_events(req, a);
    std::vector<std::string> types;
    for (const auto& e : events) types.push_back(event_type(e));
    CHECK(types == std::vector<std::string>{"response.created", "response.in_progress",
                                            "response.output_item.added", "response.content_part.added",
                                            "response.output_text.delta", "response.output_text.delta",
                                            "response.output_text.done", "response.content_part.done",
                                            "response.output_item.done", "response.completed"});
    std::string text;
    for (std::size_t i = 0; i < events.size(); ++i) {
      auto d = data_of(events[i]);
      CHECK(d["type"] == types[i]);
      CHECK(d["sequence_number"] == i);
      if (types[i] == "response.output_text.delta") text += d["delta"].get<std::string>();
    }
    CHECK(text == "he\"llo world");
    auto created = data_of(events[0])["response"];
    CHECK(created["status"] == "in_progress");
    CHECK(created["usage"].is_null());
    CHECK(created["output"].empty());
    CHECK(data_of(events[6])["text"] == "he\"llo world");
    auto done = data_of(events.back())["response"];
    CHECK(done["status"] == "completed");
    CHECK(done["id"] == created["id"]);
    CHECK(done["output"][0]["content"][0]["text"] == "he\"llo world");
    CHECK(done["usage"]["input_tokens"] == 2);
    CHECK(done["usage"]["output_tokens"] == 2);
    CHECK(done["usage"]["total_tokens"] == 4);
  }

  TEST_CASE("POST /v1/responses: JSON, streamed, OpenAI-shaped errors; other methods refused") {
    Options o;
    o.tokens = 3;
    State state(10);
    Router router(o, state);
    std::mt19937_64 rng(1);
    auto post = [&](std::string body) {
      return router.handle(Request{"POST", "/v1/responses", {}, std::move(body)}, rng);
    };
    auto r = post(R"({"model":"mock-gpt-4o","input":"a b"})");
    CHECK(r.status == 200);
    CHECK_FALSE(r.stream);
    auto j = json::parse(r.body);
    CHECK(j["output"][0]["content"][0]["text"] == "a b a");
    CHECK(j["usage"]["total_tokens"] == 5);
    auto s = post(R"({"model":"mock-gpt-4o","input":"a","stream":true})");
    CHECK(s.stream);
    CHECK(s.content_type == "text/event-stream");
    CHECK(event_type(s.events.back()) == "response.completed");
    auto bad = post(R"({"model":"mock-gpt-4o"})");
    CHECK(bad.status == 400);
    CHECK(json::parse(bad.body)["error"]["message"].get<std::string>().starts_with("input:"));
    CHECK(post(R"({"model":"zzz","input":"x"})").status == 404);
    CHECK(router.handle(Request{"GET", "/v1/responses", {}, ""}, rng).status == 405);
  }
}
