#include <doctest/doctest.h>

#include "mock/chat.hpp"

using namespace igw::mock;

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
}
