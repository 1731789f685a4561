#include <doctest/doctest.h>

#include "server/response_observer.hpp"

using namespace igw::server;

TEST_SUITE("response_observer") {
  TEST_CASE("usage and tool calls are found whatever the spacing, and not taken from a string") {
    ResponseObserver o;
    o.observe_chunk(R"({"choices":[{"delta":{"content":"say \"usage\": {\"total_tokens\": 99}"}}], "usage" : null})");
    CHECK_FALSE(o.usage().present);
    o.observe_chunk("{\"choices\": [],\n \"usage\" :\n\t{\"prompt_tokens\": 2, \"completion_tokens\": 3}}");
    CHECK(o.usage().present);
    CHECK(o.usage().total_tokens == 5);
    ResponseObserver t;
    t.observe_chunk(R"({"choices":[{"delta":{"content":"\"tool_calls\": [","tool_calls" : null}}]})");
    CHECK(t.tool_calls().empty());
    t.observe_chunk(R"({"choices":[{"delta":{"tool_calls" :  [ {"index":0,"id":"c1","function":{"name":"f","arguments":"{}"}}]}}]})");
    REQUIRE(t.tool_calls().size() == 1);
    CHECK(t.tool_calls()[0].name == "f");
  }

  TEST_CASE("usage and tool calls are picked out of stream chunks, tool calls merged by index") {
    ResponseObserver o;
    o.observe_chunk(R"({"choices":[{"index":0,"delta":{"content":"hi"}}],"usage":null})");
    CHECK_FALSE(o.usage().present);
    o.observe_chunk(
        R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]}}]})");
    o.observe_chunk(
        R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]})");
    o.observe_chunk(
        R"({"choices":[{"delta":{"tool_calls":[{"index":1,"id":"call_2","function":{"name":"get_time","arguments":"{}"}}]}}]})");
    o.observe_chunk(R"({"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":5,"total_tokens":12}})");
    CHECK(o.usage().present);
    CHECK(o.usage().prompt_tokens == 7);
    CHECK(o.usage().completion_tokens == 5);
    CHECK(o.usage().total_tokens == 12);
    REQUIRE(o.tool_calls().size() == 2);
    CHECK(o.tool_calls()[0].name == "get_weather");
    CHECK(o.tool_calls()[0].id == "call_1");
    CHECK(o.tool_calls()[0].arguments == "{\"city\":");
    CHECK(o.tool_calls()[1].name == "get_time");
    CHECK(o.tool_calls()[1].arguments == "{}");
  }

  TEST_CASE("usage is read wherever it stands, and only from the top level") {
    struct Case {
      const char* body;
      bool present;
      std::int64_t prompt, completion, total;
    };
    const Case cases[] = {
        // Last member (read without parsing the rest), with spacing, nested details and a string holding braces.
        {R"({"id":"x","choices":[{"message":{"content":"}{"}}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}})", true, 3, 4, 7},
        {"{\"choices\":[] ,\n \"usage\" : {\"prompt_tokens\": 5, \"completion_tokens\": 6,\n \"prompt_tokens_details\": {\"cached_tokens\": 1}} \n}\n", true, 5, 6, 11},
        {R"({"usage":{"note":"a \"}\" {","prompt_tokens":1,"completion_tokens":2,"total_tokens":3}})", true, 1, 2, 3},
        // OpenAI's order: scalar members after the usage.
        {R"({"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6},"service_tier":"default","system_fingerprint":"fp_\"x\"","seed":-1.5e3,"cached":true,"n":null})", true, 4, 2, 6},
        {R"({"choices":[],"usage":{"note":"ends with a backslash \\","prompt_tokens":8,"completion_tokens":1}})", true, 8, 1, 9},
        // Not last: the whole document is read.
        {R"({"usage":{"prompt_tokens":2,"completion_tokens":2,"total_tokens":4},"choices":[{"message":{"content":"hi"}}]})", true, 2, 2, 4},
        // A "usage" member of a nested object is not the answer's usage.
        {R"({"choices":[],"meta":{"usage":{"prompt_tokens":9,"completion_tokens":9}}})", false, 0, 0, 0},
        {R"({"choices":[{"message":{"content":"x","usage":{"prompt_tokens":9}}}]})", false, 0, 0, 0},
        // A string that merely ends like a usage member.
        {R"({"choices":[],"text":"\"usage\":{\"prompt_tokens\":9}"})", false, 0, 0, 0},
        {R"({"choices":[],"usage":null})", false, 0, 0, 0},
        {R"(["usage",{"prompt_tokens":1}])", false, 0, 0, 0},
    };
    // The first five are read from the end; the rest go through the whole document.
    CHECK(trailing_usage_object(cases[0].body) == R"({"prompt_tokens":3,"completion_tokens":4,"total_tokens":7})");
    CHECK(trailing_usage_object(cases[1].body).starts_with("{\"prompt_tokens\": 5"));
    CHECK(trailing_usage_object(cases[1].body).ends_with("{\"cached_tokens\": 1}}"));
    CHECK(trailing_usage_object(cases[2].body).starts_with(R"({"note")"));
    CHECK(trailing_usage_object(cases[3].body) == R"({"prompt_tokens":4,"completion_tokens":2,"total_tokens":6})");
    CHECK(trailing_usage_object(cases[4].body).starts_with(R"({"note")"));
    for (std::size_t i = 5; i < std::size(cases); ++i) CHECK(trailing_usage_object(cases[i].body).empty());
    for (const auto& c : cases) {
      std::string body = c.body;
      CAPTURE(body);
      ResponseObserver o;
      o.observe_body(c.body);
      CHECK(o.usage().present == c.present);
      CHECK(o.usage().prompt_tokens == c.prompt);
      CHECK(o.usage().completion_tokens == c.completion);
      CHECK(o.usage().total_tokens == c.total);
    }
  }

  TEST_CASE("a full response body: usage and message tool calls") {
    ResponseObserver o;
    o.observe_body(
        R"({"choices":[{"message":{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}}],"usage":{"prompt_tokens":3,"completion_tokens":4}})");
    CHECK(o.usage().total_tokens == 7);
    REQUIRE(o.tool_calls().size() == 1);
    CHECK(o.tool_calls()[0].name == "f");
    ResponseObserver bad;
    bad.observe_body("not json");
    CHECK_FALSE(bad.usage().present);
  }
}

