#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "mock/anthropic.hpp"
#include "mock/openai.hpp"

using namespace igw::mock;
using nlohmann::json;

namespace {

ChatRequest request(bool usage = false) {
  ChatRequest r;
  r.model = "mock-gpt-4o";
  r.stream = true;
  r.include_usage = usage;
  r.prompt = {"he\"llo", "world"};
  r.last_user_text = "he\"llo world";
  r.prompt_tokens = 2;
  return r;
}

json data_of(const std::string& event) {
  auto pos = event.find("data: ");
  REQUIRE(pos != std::string::npos);
  REQUIRE(event.ends_with("\n\n"));
  return json::parse(event.substr(pos + 6));
}

}  // namespace

TEST_SUITE("mock_formats") {
  TEST_CASE("models list: OpenAI shape, deterministic ids") {
    auto j = json::parse(openai_models_json());
    CHECK(j["object"] == "list");
    REQUIRE(j["data"].size() == model_ids().size());
    CHECK(
        j["data"][0] ==
        json{{"id", "mock-gpt-4o"}, {"object", "model"}, {"created", 1700000000}, {"owned_by", "igw-mock"}});
    CHECK(known_model("mock-gpt-4o-mini"));
    CHECK_FALSE(known_model("gpt-4o"));
  }

  TEST_CASE("completion JSON carries content (escaped) and usage") {
    auto req = request();
    auto a = make_answer(req, 3, 7, 1234);
    auto j = json::parse(openai_completion_json(req, a));
    CHECK(j["object"] == "chat.completion");
    CHECK(j["created"] == 1234);
    CHECK(j["choices"][0]["message"]["content"] == "he\"llo world he\"llo");
    CHECK(j["choices"][0]["finish_reason"] == "stop");
    CHECK(j["usage"] == json{{"prompt_tokens", 2}, {"completion_tokens", 3}, {"total_tokens", 5}});
  }

  TEST_CASE("max_tokens truncates: finish_reason length / max_tokens") {
    auto req = request();
    req.max_tokens = 1;
    auto a = make_answer(req, 3, 0, 0);
    CHECK(json::parse(openai_completion_json(req, a))["choices"][0]["finish_reason"] == "length");
    CHECK(json::parse(anthropic_message_json(req, a))["stop_reason"] == "max_tokens");
  }

  TEST_CASE("stream: role chunk, one chunk per token, finish chunk, usage chunk, [DONE]") {
    auto req = request(true);
    auto a = make_answer(req, 2, 0, 99);
    auto events = openai_stream_events(req, a);
    REQUIRE(events.size() == 6);
    CHECK(data_of(events[0])["choices"][0]["delta"]["role"] == "assistant");
    CHECK(data_of(events[1])["choices"][0]["delta"]["content"] == "he\"llo");
    CHECK(data_of(events[2])["choices"][0]["delta"]["content"] == " world");
    CHECK(data_of(events[1]).contains("usage"));
    CHECK(data_of(events[1])["usage"].is_null());
    CHECK(data_of(events[3])["choices"][0]["finish_reason"] == "stop");
    auto usage = data_of(events[4]);
    CHECK(usage["choices"].empty());
    CHECK(usage["usage"]["total_tokens"] == 4);
    CHECK(events[5] == "data: [DONE]\n\n");
    for (std::size_t i = 0; i + 1 < events.size(); ++i) {
      CHECK(data_of(events[i])["object"] == "chat.completion.chunk");
      CHECK(data_of(events[i])["id"] == data_of(events[0])["id"]);
    }
  }

  TEST_CASE("stream without include_usage has no usage field") {
    auto req = request(false);
    auto events = openai_stream_events(req, make_answer(req, 1, 0, 0));
    CHECK(events.size() == 4);
    CHECK_FALSE(data_of(events[1]).contains("usage"));
  }

  TEST_CASE("tool call: JSON message and streamed deltas by index") {
    auto req = request(true);
    req.tool_call = ToolCall{"call_1", "get_weather", R"({"city":"mock","days":1})"};
    auto a = make_answer(req, 5, 0, 0);
    auto j = json::parse(openai_completion_json(req, a));
    CHECK(j["choices"][0]["finish_reason"] == "tool_calls");
    CHECK(j["choices"][0]["message"]["content"].is_null());
    CHECK(j["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] == req.tool_call->arguments);
    std::string args;
    std::string finish;
    for (const auto& e : openai_stream_events(req, a)) {
      if (e == "data: [DONE]\n\n") continue;
      auto c = data_of(e);
      if (c["choices"].empty()) continue;
      for (const auto& d : c["choices"][0]["delta"].value("tool_calls", json::array())) {
        CHECK(d["index"] == 0);
        args += d["function"].value("arguments", "");
      }
      if (!c["choices"][0]["finish_reason"].is_null()) finish = c["choices"][0]["finish_reason"];
    }
    CHECK(args == req.tool_call->arguments);
    CHECK(finish == "tool_calls");
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

  TEST_CASE("error bodies") {
    auto o = json::parse(openai_error_json(429, "slow \"down\""));
    CHECK(o["error"]["message"] == "slow \"down\"");
    CHECK(o["error"]["code"] == "rate_limit_exceeded");
    auto an = json::parse(anthropic_error_json(529, "busy"));
    CHECK(an["type"] == "error");
    CHECK(an["error"]["type"] == "overloaded_error");
  }
}
