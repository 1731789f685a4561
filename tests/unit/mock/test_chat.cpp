#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "mock/chat.hpp"

using namespace igw::mock;
using nlohmann::json;

namespace {

// Pieces of an agent loop's conversation, as a gateway sends them back to the model.
const json kOpenAITools = json::parse(R"([{"type":"function","function":{"name":"lookup",
  "parameters":{"type":"object","properties":{"q":{"type":"string"}}}}},
  {"type":"function","function":{"name":"other"}}])");
const json kAnthropicTools = json::parse(R"([{"name":"find","input_schema":{"type":"object",
  "properties":{"q":{"type":"string"}}}},{"name":"other"}])");

json user(const std::string& text) {
  return {{"role", "user"}, {"content", text}};
}
json openai_call(const std::string& id) {
  return json::parse(R"({"role":"assistant","content":null,"tool_calls":[{"id":")" + id +
                     R"(","type":"function","function":{"name":"lookup","arguments":"{}"}}]})");
}
json openai_result(const std::string& id, const json& content) {
  return {{"role", "tool"}, {"tool_call_id", id}, {"content", content}};
}
json anthropic_call(const std::string& id) {
  return {{"role", "assistant"},
          {"content",
           json::array({{{"type", "tool_use"}, {"id", id}, {"name", "find"}, {"input", json::object()}}})}};
}
json anthropic_result(const std::string& id, const json& content) {
  return {{"role", "user"},
          {"content", json::array({{{"type", "tool_result"}, {"tool_use_id", id}, {"content", content}}})}};
}

auto parse_openai(const json& messages, const ToolScript& script = {}) {
  return parse_chat(json{{"model", "m"}, {"tools", kOpenAITools}, {"messages", messages}}.dump(),
                    Dialect::openai, script);
}
auto parse_anthropic(const json& messages, const ToolScript& script = {}) {
  return parse_chat(json{{"model", "m"}, {"tools", kAnthropicTools}, {"messages", messages}}.dump(),
                    Dialect::anthropic, script);
}

}  // namespace

TEST_SUITE("mock/chat") {
  TEST_CASE("the answer cycles the prompt's words") {
    CHECK(join_tokens(answer_tokens({"a", "b"}, 5)) == "a b a b a");
    CHECK(answer_tokens({"a", "b"}, 3) == std::vector<std::string>{"a", " b", " a"});
    CHECK(join_tokens(answer_tokens({}, 2)) == "mock mock");
    CHECK(answer_tokens({"x"}, 0).empty());
  }

  TEST_CASE("split_words splits on any whitespace") {
    CHECK(split_words("  a\tb\n c  ") == std::vector<std::string>{"a", "b", "c"});
    CHECK(split_words("").empty());
  }

  TEST_CASE("OpenAI request: model, stream, usage option, last user message, prompt tokens") {
    auto r = parse_chat(R"({"model":"mock-gpt-4o","stream":true,"stream_options":{"include_usage":true},
      "max_tokens":3,"messages":[{"role":"system","content":"be nice"},{"role":"user","content":"first q"},
      {"role":"assistant","content":"ok"},{"role":"user","content":[{"type":"text","text":"second"},
      {"type":"text","text":"question"}]}]})",
                        Dialect::openai);
    REQUIRE(r);
    CHECK(r->model == "mock-gpt-4o");
    CHECK(r->stream);
    CHECK(r->include_usage);
    CHECK(r->max_tokens == 3);
    CHECK(r->prompt == std::vector<std::string>{"second", "question"});
    CHECK(r->prompt_tokens == 7);
    CHECK_FALSE(r->tool_call);
  }

  TEST_CASE("a tool call only when tools are offered and the prompt asks") {
    const char* tools =
        R"("tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object",
      "properties":{"q":{"type":"string"},"n":{"type":"integer"},"f":{"type":"boolean"},"e":{"enum":["x","y"]}}}}},
      {"type":"function","function":{"name":"other"}}])";
    auto ask = [&](const std::string& text, bool with_tools = true) {
      return parse_chat(R"({"model":"m",)" + std::string(with_tools ? tools : R"("x":1)") +
                            R"(,"messages":[{"role":"user","content":")" + text + R"("}]})",
                        Dialect::openai);
    };
    auto r = ask("please call other now");
    REQUIRE(r);
    REQUIRE(r->tool_call);
    CHECK(r->tool_call->name == "other");
    CHECK(r->tool_call->arguments == "{}");
    CHECK(r->tool_call->id.starts_with("call_"));
    r = ask("Use The Tool");
    REQUIRE(r->tool_call);
    CHECK(r->tool_call->name == "lookup");
    CHECK(r->tool_call->arguments == R"({"e":"x","f":true,"n":1,"q":"mock"})");
    CHECK_FALSE(ask("just talk")->tool_call);
    CHECK_FALSE(ask("use the tool", false)->tool_call);
  }

  TEST_CASE("tool_choice forces a call") {
    auto r = parse_chat(R"({"model":"m","tool_choice":{"type":"function","function":{"name":"b"}},
      "tools":[{"type":"function","function":{"name":"a"}},{"type":"function","function":{"name":"b"}}],
      "messages":[{"role":"user","content":"hi"}]})",
                        Dialect::openai);
    REQUIRE(r->tool_call);
    CHECK(r->tool_call->name == "b");
  }

  TEST_CASE("Anthropic request: system counts, tools by name with input_schema") {
    auto r = parse_chat(R"({"model":"m","system":"sys words","max_tokens":9,"tools":[{"name":"find",
      "input_schema":{"type":"object","properties":{"q":{"type":"string"}}}}],
      "messages":[{"role":"user","content":"call find"}]})",
                        Dialect::anthropic);
    REQUIRE(r);
    CHECK(r->prompt_tokens == 4);
    REQUIRE(r->tool_call);
    CHECK(r->tool_call->id.starts_with("toolu_"));
    CHECK(r->tool_call->arguments == R"({"q":"mock"})");
  }

  TEST_CASE("bad bodies are errors naming the problem, never exceptions") {
    CHECK(parse_chat("{nope", Dialect::openai).error().find("JSON object") != std::string::npos);
    CHECK(parse_chat(R"({"messages":[]})", Dialect::openai).error().starts_with("model:"));
    CHECK(parse_chat(R"({"model":"m"})", Dialect::openai).error().starts_with("messages:"));
    CHECK_FALSE(parse_chat(R"({"model":"m","messages":[],"stream":"yes"})", Dialect::openai));
    CHECK_FALSE(parse_chat(R"({"model":"m","messages":[{"role":5,"content":"x"}]})", Dialect::openai));
    CHECK(parse_chat(R"({"model":"m","messages":[1,"x",null]})", Dialect::openai));
  }

  TEST_CASE("mock_id is stable and depends on text and counter") {
    CHECK(mock_id("a", 1) == mock_id("a", 1));
    CHECK(mock_id("a", 1) != mock_id("a", 2));
    CHECK(mock_id("a", 1) != mock_id("b", 1));
    CHECK(mock_id("a", 1).size() == 16);
  }

  TEST_CASE("the prompt's faults: a hallucinated tool, arguments that are not JSON") {
    auto r = parse_openai(json::array({user("now hallucinate a tool")}));
    REQUIRE(r->tool_call);
    CHECK(r->tool_call->name == "no_such_tool");
    CHECK(r->tool_call->arguments == "{}");
    r = parse_openai(json::array({user("use the tool with broken arguments")}));
    REQUIRE(r->tool_call);
    CHECK(r->tool_call->name == "lookup");
    CHECK(r->tool_call->arguments == R"({"q":"mock")");
  }

  TEST_CASE("OpenAI rounds: tool calls since the last user message, their results in order") {
    json messages =
        json::array({user("first"), openai_call("call_old"), openai_result("call_old", "stale"),
                     user("call lookup"), openai_call("call_a"), openai_result("call_a", "one"),
                     json{{"role", "assistant"}, {"content", "thinking"}},  // no call: no round
                     json{{"role", "assistant"}, {"tool_calls", json::array()}}, openai_call("call_b"),
                     openai_result("call_b", json::parse(R"([{"type":"text","text":"two"},
                                   {"type":"text","text":"parts"}])"))});
    auto r = parse_openai(messages);
    REQUIRE(r);
    CHECK(r->tool_rounds_done == 2);
    CHECK(r->tool_results == std::vector<std::string>{"one", "two parts"});
    CHECK(r->prompt == std::vector<std::string>{"call", "lookup"});
    CHECK_FALSE(r->tool_call);  // the default is one round, and two are done
    r = parse_openai(messages, ToolScript{.rounds = 3});
    REQUIRE(r->tool_call);
    CHECK(r->tool_call->name == "lookup");
    // A new user message starts a new turn: no rounds, no results, the tool is called again.
    messages.push_back(user("thanks, call lookup again"));
    r = parse_openai(messages);
    CHECK(r->tool_rounds_done == 0);
    CHECK(r->tool_results.empty());
    CHECK(r->tool_call);
    // The responses dialect has no agent loop.
    auto resp = parse_chat(
        json{{"model", "m"},
             {"input", json::array({user("call lookup"), openai_call("c"), openai_result("c", "x")})}}
            .dump(),
        Dialect::responses);
    CHECK(resp->tool_rounds_done == 0);
    CHECK(resp->tool_results.empty());
  }

  TEST_CASE("Anthropic rounds: a user message of only tool_result blocks is tool output, not user text") {
    json messages = json::array(
        {user("call find"),
         json{{"role", "assistant"}, {"content", json::parse(R"([{"type":"text","text":"let me look"},
                {"type":"tool_use","id":"toolu_a","name":"find","input":{}}])")}},
         anthropic_result("toolu_a", "string one"), anthropic_call("toolu_b"),
         anthropic_result("toolu_b",
                          json::parse(R"([{"type":"text","text":"block"},{"type":"text","text":"two"}])"))});
    auto r = parse_anthropic(messages);
    REQUIRE(r);
    CHECK(r->tool_rounds_done == 2);
    CHECK(r->tool_results == std::vector<std::string>{"string one", "block two"});
    CHECK(r->last_user_text == "call find");
    CHECK(r->prompt_tokens == 9);  // call find, let me look, and the results' words
    CHECK_FALSE(r->tool_call);
    r = parse_anthropic(messages, ToolScript{.rounds = 3});
    REQUIRE(r->tool_call);
    CHECK(r->tool_call->name == "find");
    // Text beside a tool_result makes it a user text message: a new turn.
    messages.push_back(json{{"role", "user"}, {"content", json::parse(R"([{"type":"tool_result",
      "tool_use_id":"toolu_c","content":"late"},{"type":"text","text":"now call find"}])")}});
    r = parse_anthropic(messages);
    CHECK(r->tool_rounds_done == 0);
    CHECK(r->tool_results.empty());
    CHECK(r->last_user_text == "now call find");
    CHECK(r->tool_call);
  }

  TEST_CASE("each round's call id differs; the same round's is stable") {
    ToolScript many{.rounds = 5};
    std::set<std::string> openai_ids, anthropic_ids;
    json openai = json::array({user("call lookup")});
    json anthropic = json::array({user("call find")});
    for (int round = 0; round < 4; ++round) {
      auto o = parse_openai(openai, many);
      auto a = parse_anthropic(anthropic, many);
      REQUIRE(o->tool_call);
      REQUIRE(a->tool_call);
      CHECK(o->tool_call->id == parse_openai(openai, many)->tool_call->id);
      openai_ids.insert(o->tool_call->id);
      anthropic_ids.insert(a->tool_call->id);
      openai.push_back(openai_call(o->tool_call->id));
      openai.push_back(openai_result(o->tool_call->id, "r"));
      anthropic.push_back(anthropic_call(a->tool_call->id));
      anthropic.push_back(anthropic_result(a->tool_call->id, "r"));
    }
    CHECK(openai_ids.size() == 4);
    CHECK(anthropic_ids.size() == 4);
  }

  TEST_CASE("rounds 0: text at once, even when the prompt or tool_choice asks for a tool") {
    CHECK_FALSE(parse_openai(json::array({user("call lookup")}), ToolScript{.rounds = 0})->tool_call);
    CHECK_FALSE(parse_anthropic(json::array({user("call find")}), ToolScript{.rounds = 0})->tool_call);
    auto forced = parse_chat(json{{"model", "m"},
                                  {"tools", kOpenAITools},
                                  {"tool_choice", "required"},
                                  {"messages", json::array({user("hi")})}}
                                 .dump(),
                             Dialect::openai, ToolScript{.rounds = 0});
    CHECK_FALSE(forced->tool_call);
  }

  TEST_CASE("script.tool calls an offered tool by name; one not offered leaves the choice to the prompt") {
    auto named = [](const auto& r) { return r->tool_call ? r->tool_call->name : std::string("(text)"); };
    CHECK(named(parse_openai(json::array({user("just talk")}), ToolScript{.tool = "other"})) == "other");
    CHECK(named(parse_openai(json::array({user("call lookup")}), ToolScript{.tool = "other"})) == "other");
    CHECK(named(parse_anthropic(json::array({user("hello")}), ToolScript{.tool = "other"})) == "other");
    CHECK(named(parse_openai(json::array({user("just talk")}), ToolScript{.tool = "nope"})) == "(text)");
    CHECK(named(parse_openai(json::array({user("call lookup")}), ToolScript{.tool = "nope"})) == "lookup");
    CHECK(named(parse_openai(json::array({user("just talk")}), ToolScript{.tool = "Other"})) == "(text)");
    // The request's own tool_choice still wins, as it would with a real model.
    auto chosen = parse_chat(json{{"model", "m"},
                                  {"tools", kOpenAITools},
                                  {"tool_choice", {{"type", "function"}, {"function", {{"name", "lookup"}}}}},
                                  {"messages", json::array({user("hi")})}}
                                 .dump(),
                             Dialect::openai, ToolScript{.tool = "other"});
    CHECK(named(chosen) == "lookup");
  }

  TEST_CASE("script.arguments pass through verbatim; anything but a JSON object is an error naming it") {
    const std::string args = R"({ "q" : "two words", "n":[1, 2] })";
    auto r = parse_openai(json::array({user("call lookup")}), ToolScript{.arguments = args});
    REQUIRE(r->tool_call);
    CHECK(r->tool_call->arguments == args);
    r = parse_openai(json::array({user("use the tool with broken arguments")}),
                     ToolScript{.arguments = args});
    CHECK(r->tool_call->arguments == args);
    r = parse_openai(json::array({user("hallucinate a tool")}), ToolScript{.arguments = args});
    CHECK(r->tool_call->arguments == args);
    r = parse_anthropic(json::array({user("call find")}), ToolScript{.arguments = args});
    CHECK(r->tool_call->arguments == args);
    for (const char* bad : {"[1]", "{nope", "", "\"text\""}) {
      auto e = parse_openai(json::array({user("call lookup")}), ToolScript{.arguments = bad});
      REQUIRE_FALSE(e);
      CHECK(e.error().starts_with("x-mock-tool-arguments: expected a JSON object, got "));
      CHECK(e.error().ends_with(bad));
    }
    // The responses dialect calls no tools, so it has no arguments to check.
    CHECK(parse_chat(R"({"model":"m","input":"hi"})", Dialect::responses, ToolScript{.arguments = "[1]"}));
  }

  TEST_CASE("answer_words: the prompt's words, or the tool results quoted") {
    ChatRequest req;
    req.prompt = {"a", "b"};
    CHECK(answer_words(req) == std::vector<std::string>{"a", "b"});
    req.tool_results = {"sunny\n  21C", "", "done"};
    CHECK(answer_words(req) ==
          std::vector<std::string>{"Tool", "results:", "sunny", "21C", "|", "|", "done"});
  }
}
