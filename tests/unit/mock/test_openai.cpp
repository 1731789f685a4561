#include <doctest/doctest.h>

#include "tests/unit/mock/chat_fixtures.hpp"

#include <nlohmann/json.hpp>

#include "mock/openai.hpp"

using namespace igw::mock;
using nlohmann::json;

namespace {

ChatRequest request(bool usage = false) { return testing::stream_request(usage); }
using testing::data_of;

}  // namespace

TEST_SUITE("mock/openai") {
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

  TEST_CASE("every listed model is known, and only exact ids are") {
    auto j = json::parse(openai_models_json());
    for (std::size_t i = 0; i < model_ids().size(); ++i) {
      CHECK(j["data"][i]["id"] == std::string{model_ids()[i]});
      CHECK(known_model(model_ids()[i]));
    }
    CHECK_FALSE(known_model(""));
    CHECK_FALSE(known_model("mock-gpt-4"));   // a prefix of a known id
    CHECK_FALSE(known_model("MOCK-GPT-4O"));  // ids are case-sensitive
    CHECK_FALSE(known_model("mock-gpt-4o "));
  }

  TEST_CASE("make_answer: max_tokens caps the configured count; a cap at or above it is no truncation") {
    auto req = request();
    auto full = make_answer(req, 3, 0, 0);
    CHECK(full.tokens.size() == 3);
    CHECK_FALSE(full.truncated);
    CHECK(full.completion_tokens == 3);
    req.max_tokens = 3;
    CHECK_FALSE(make_answer(req, 3, 0, 0).truncated);
    req.max_tokens = 2;
    auto cut = make_answer(req, 3, 0, 0);
    CHECK(cut.truncated);
    CHECK(cut.tokens.size() == 2);
    CHECK(cut.completion_tokens == 2);
    req.max_tokens = -5;  // nonsense from a client: no tokens, never a negative count
    auto none = make_answer(req, 3, 0, 0);
    CHECK(none.truncated);
    CHECK(none.tokens.empty());
    CHECK(none.completion_tokens == 0);
  }

  TEST_CASE("make_answer: ids are stable for the same text and counter and differ otherwise") {
    auto req = request();
    CHECK(make_answer(req, 1, 7, 0).id == make_answer(req, 1, 7, 0).id);
    CHECK(make_answer(req, 1, 7, 0).id != make_answer(req, 1, 8, 0).id);
    CHECK(make_answer(req, 1, 7, 42).created == 42);
  }

  TEST_CASE("make_answer: a tool call counts its arguments, not the configured tokens") {
    auto req = request();
    req.tool_call = ToolCall{"call_1", "f", std::string(40, 'x')};
    auto a = make_answer(req, 100, 0, 0);
    CHECK(a.tokens.empty());
    CHECK(a.completion_tokens == 11);  // 1 + 40 / 4
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

  TEST_CASE("completion JSON: the id is chatcmpl-<answer id> and the model is echoed, escaped") {
    auto req = request();
    req.model = "we\"ird\\model";
    auto a = make_answer(req, 1, 0, 0);
    auto j = json::parse(openai_completion_json(req, a));
    CHECK(j["id"] == "chatcmpl-" + a.id);
    CHECK(j["model"] == "we\"ird\\model");
    CHECK(j["choices"][0]["message"]["role"] == "assistant");
  }

  TEST_CASE("max_tokens truncates: finish_reason length") {
    auto req = request();
    req.max_tokens = 1;
    auto a = make_answer(req, 3, 0, 0);
    CHECK(json::parse(openai_completion_json(req, a))["choices"][0]["finish_reason"] == "length");
    auto events = openai_stream_events(req, a);
    CHECK(data_of(events[events.size() - 2])["choices"][0]["finish_reason"] == "length");
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

  TEST_CASE("stream: chunks share the completion's id, and the streamed text is the completion's") {
    auto req = request(true);
    auto a = make_answer(req, 5, 3, 99);
    auto whole = json::parse(openai_completion_json(req, a));
    std::string text;
    for (const auto& e : openai_stream_events(req, a)) {
      if (e == "data: [DONE]\n\n") continue;
      auto c = data_of(e);
      CHECK(c["id"] == whole["id"]);
      CHECK(c["created"] == 99);
      CHECK(c["model"] == "mock-gpt-4o");
      if (!c["choices"].empty()) text += c["choices"][0]["delta"].value("content", "");
    }
    CHECK(text == whole["choices"][0]["message"]["content"]);
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

  TEST_CASE("tool call stream: the first delta names the call, later ones carry only arguments") {
    auto req = request(true);
    req.tool_call = ToolCall{"call_9", "lookup", R"({"q":"a \"quoted\" word"})"};
    auto events = openai_stream_events(req, make_answer(req, 1, 0, 0));
    auto first = data_of(events[0])["choices"][0]["delta"]["tool_calls"][0];
    CHECK(first["id"] == "call_9");
    CHECK(first["type"] == "function");
    CHECK(first["function"]["name"] == "lookup");
    CHECK(first["function"]["arguments"] == "");
    auto second = data_of(events[1])["choices"][0]["delta"]["tool_calls"][0];
    CHECK_FALSE(second.contains("id"));
    CHECK_FALSE(second["function"].contains("name"));
    // The arguments are parseable JSON once the pieces are joined (escaping survives the split).
    std::string args;
    for (std::size_t i = 1; i + 3 < events.size(); ++i)
      args += data_of(events[i])["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"];
    CHECK(json::parse(args)["q"] == "a \"quoted\" word");
  }

  TEST_CASE("error bodies") {
    auto o = json::parse(openai_error_json(429, "slow \"down\""));
    CHECK(o["error"]["message"] == "slow \"down\"");
    CHECK(o["error"]["code"] == "rate_limit_exceeded");
  }

  TEST_CASE("error bodies: type and code follow the status") {
    auto of = [](int status) { return json::parse(openai_error_json(status, "m"))["error"]; };
    CHECK(of(429)["type"] == "rate_limit_exceeded");
    CHECK(of(404)["type"] == "invalid_request_error");
    CHECK(of(404)["code"] == "model_not_found");
    CHECK(of(400)["type"] == "invalid_request_error");
    CHECK(of(400)["code"].is_null());
    CHECK(of(500)["type"] == "server_error");
    CHECK(of(503)["type"] == "server_error");
    CHECK(of(503)["code"].is_null());
    for (int status : {400, 404, 429, 500}) {
      CHECK(of(status).contains("param"));
      CHECK(of(status)["param"].is_null());
    }
  }

  TEST_CASE("quoted tool results: content, completion tokens, and a stream that joins to the same text") {
    auto req = request(true);
    req.tool_results = {"sunny, \"21\" C", "line\nbreak"};
    auto a = make_answer(req, 100, 0, 0);  // the configured count does not stretch a quote
    auto whole = json::parse(openai_completion_json(req, a));
    const std::string quote = "Tool results: sunny, \"21\" C | line break";
    CHECK(whole["choices"][0]["message"]["content"] == quote);
    CHECK(whole["choices"][0]["finish_reason"] == "stop");
    CHECK(whole["usage"]["completion_tokens"] == 8);
    CHECK(a.completion_tokens == 8);
    auto events = openai_stream_events(req, a);
    CHECK(data_of(events[1])["choices"][0]["delta"]["content"] == "Tool");
    CHECK(data_of(events[2])["choices"][0]["delta"]["content"] == " results:");
    std::string text;
    int deltas = 0;
    for (const auto& e : events) {
      if (e == "data: [DONE]\n\n") continue;
      auto c = data_of(e);
      if (c["choices"].empty() || !c["choices"][0]["delta"].contains("content")) continue;
      text += c["choices"][0]["delta"]["content"].get<std::string>();
      if (!c["choices"][0]["delta"].contains("role")) ++deltas;
    }
    CHECK(text == quote);
    CHECK(deltas == 8);
    CHECK(data_of(events[events.size() - 2])["usage"]["completion_tokens"] == 8);
  }

  TEST_CASE("quoted tool results: max_tokens still caps them (finish_reason length)") {
    auto req = request();
    req.tool_results = {"a b c d"};
    req.max_tokens = 3;
    auto a = make_answer(req, 0, 0, 0);
    CHECK(a.truncated);
    CHECK(join_tokens(a.tokens) == "Tool results: a");
    auto j = json::parse(openai_completion_json(req, a));
    CHECK(j["choices"][0]["finish_reason"] == "length");
    CHECK(j["usage"]["completion_tokens"] == 3);
    req.max_tokens = 6;  // exactly the quote: not truncated
    CHECK_FALSE(make_answer(req, 0, 0, 0).truncated);
    CHECK(make_answer(req, 0, 0, 0).tokens.size() == 6);
  }

  TEST_CASE("a tool call beats quoting: results of earlier rounds do not turn a call into text") {
    auto req = request();
    req.tool_results = {"earlier"};
    req.tool_call = ToolCall{"call_2", "f", "{}"};
    auto j = json::parse(openai_completion_json(req, make_answer(req, 5, 0, 0)));
    CHECK(j["choices"][0]["finish_reason"] == "tool_calls");
    CHECK(j["choices"][0]["message"]["content"].is_null());
  }
}
