#include <doctest/doctest.h>

#include "tests/unit/mock/chat_fixtures.hpp"

#include <nlohmann/json.hpp>

#include "mock/anthropic.hpp"

using namespace igw::mock;
using nlohmann::json;

namespace {

ChatRequest request(bool usage = false) { return testing::stream_request(usage); }
using testing::data_of;

// "event: <type>\n" of one SSE event.
std::string event_type(const std::string& event) {
  REQUIRE(event.starts_with("event: "));
  return event.substr(7, event.find('\n') - 7);
}

}  // namespace

TEST_SUITE("mock/anthropic") {
  TEST_CASE("max_tokens truncates: stop_reason max_tokens") {
    auto req = request();
    req.max_tokens = 1;
    auto a = make_answer(req, 3, 0, 0);
    CHECK(json::parse(anthropic_message_json(req, a))["stop_reason"] == "max_tokens");
    auto events = anthropic_stream_events(req, a);
    CHECK(data_of(events[events.size() - 2])["delta"]["stop_reason"] == "max_tokens");
  }

  TEST_CASE("Anthropic message JSON and event stream") {
    auto req = request();
    auto a = make_answer(req, 2, 0, 0);
    auto j = json::parse(anthropic_message_json(req, a));
    CHECK(j["type"] == "message");
    CHECK(j["content"][0]["text"] == "he\"llo world");
    CHECK(j["usage"] == json{{"input_tokens", 2}, {"output_tokens", 2}});
    auto events = anthropic_stream_events(req, a);
    REQUIRE(events.size() == 8);
    CHECK(events[0].starts_with("event: message_start\n"));
    CHECK(data_of(events[3])["delta"]["text"] == "he\"llo");
    CHECK(events[7].starts_with("event: message_stop\n"));
  }

  TEST_CASE("message JSON: msg_ id, role, model, end_turn") {
    auto req = request();
    auto a = make_answer(req, 2, 5, 0);
    auto j = json::parse(anthropic_message_json(req, a));
    CHECK(j["id"] == "msg_" + a.id);
    CHECK(j["role"] == "assistant");
    CHECK(j["model"] == "mock-gpt-4o");
    CHECK(j["stop_reason"] == "end_turn");
    CHECK(j["stop_sequence"].is_null());
  }

  TEST_CASE("event stream: each event's data has the event's type, in the order the API sends them") {
    auto req = request();
    auto a = make_answer(req, 3, 0, 0);
    auto events = anthropic_stream_events(req, a);
    std::vector<std::string> types;
    for (const auto& e : events) {
      types.push_back(event_type(e));
      CHECK(data_of(e)["type"] == types.back());
    }
    CHECK(types == std::vector<std::string>{"message_start", "content_block_start", "ping",
                                            "content_block_delta", "content_block_delta",
                                            "content_block_delta", "content_block_stop", "message_delta",
                                            "message_stop"});
    auto start = data_of(events[0])["message"];
    CHECK(start["id"] == "msg_" + a.id);
    CHECK(start["usage"]["input_tokens"] == 2);
    std::string text;
    for (const auto& e : events)
      if (event_type(e) == "content_block_delta") text += data_of(e)["delta"]["text"];
    CHECK(text == json::parse(anthropic_message_json(req, a))["content"][0]["text"]);
    auto delta = data_of(events[7]);
    CHECK(delta["delta"]["stop_reason"] == "end_turn");
    CHECK(delta["usage"]["output_tokens"] == 3);
  }

  TEST_CASE("tool use: the arguments become the input object, and stream as one input_json_delta") {
    auto req = request();
    req.tool_call = ToolCall{"toolu_1", "get_weather", R"({"city":"mock","days":1})"};
    auto a = make_answer(req, 5, 0, 0);
    auto j = json::parse(anthropic_message_json(req, a));
    CHECK(j["stop_reason"] == "tool_use");
    REQUIRE(j["content"].size() == 1);
    CHECK(j["content"][0]["type"] == "tool_use");
    CHECK(j["content"][0]["id"] == "toolu_1");
    CHECK(j["content"][0]["name"] == "get_weather");
    CHECK(j["content"][0]["input"] == json{{"city", "mock"}, {"days", 1}});
    CHECK(j["usage"]["output_tokens"] == a.completion_tokens);
    auto events = anthropic_stream_events(req, a);
    auto block = data_of(events[1])["content_block"];
    CHECK(block["type"] == "tool_use");
    CHECK(block["input"] == json::object());
    std::string partial;
    for (const auto& e : events)
      if (event_type(e) == "content_block_delta") {
        CHECK(data_of(e)["delta"]["type"] == "input_json_delta");
        partial += data_of(e)["delta"]["partial_json"];
      }
    CHECK(json::parse(partial) == j["content"][0]["input"]);
    CHECK(data_of(events[events.size() - 2])["delta"]["stop_reason"] == "tool_use");
  }

  TEST_CASE("error bodies") {
    auto an = json::parse(anthropic_error_json(529, "busy"));
    CHECK(an["type"] == "error");
    CHECK(an["error"]["type"] == "overloaded_error");
  }

  TEST_CASE("error bodies: the error type follows the status, the message is escaped") {
    auto type_of = [](int status) { return json::parse(anthropic_error_json(status, "m"))["error"]["type"]; };
    CHECK(type_of(400) == "invalid_request_error");
    CHECK(type_of(401) == "authentication_error");
    CHECK(type_of(404) == "not_found_error");
    CHECK(type_of(429) == "rate_limit_error");
    CHECK(type_of(500) == "api_error");
    CHECK(type_of(503) == "api_error");
    CHECK(type_of(529) == "overloaded_error");
    CHECK(json::parse(anthropic_error_json(400, "bad \"x\"\n"))["error"]["message"] == "bad \"x\"\n");
  }

  TEST_CASE("quoted tool results: text block, output tokens, and text deltas joining to the same text") {
    auto req = request();
    req.tool_results = {"it is \"sunny\"", "two\tparts"};
    auto a = make_answer(req, 1, 0, 0);
    const std::string quote = "Tool results: it is \"sunny\" | two parts";
    auto j = json::parse(anthropic_message_json(req, a));
    CHECK(j["content"][0]["text"] == quote);
    CHECK(j["stop_reason"] == "end_turn");
    CHECK(j["usage"]["output_tokens"] == 8);
    auto events = anthropic_stream_events(req, a);
    std::vector<std::string> deltas;
    for (const auto& e : events)
      if (event_type(e) == "content_block_delta") deltas.push_back(data_of(e)["delta"]["text"]);
    REQUIRE(deltas.size() == 8);
    CHECK(deltas[0] == "Tool");
    CHECK(deltas[1] == " results:");
    std::string text;
    for (const auto& d : deltas) text += d;
    CHECK(text == quote);
    CHECK(data_of(events[events.size() - 2])["usage"]["output_tokens"] == 8);
    req.max_tokens = 4;
    auto cut = make_answer(req, 1, 0, 0);
    auto k = json::parse(anthropic_message_json(req, cut));
    CHECK(k["content"][0]["text"] == "Tool results: it is");
    CHECK(k["stop_reason"] == "max_tokens");
  }
}
