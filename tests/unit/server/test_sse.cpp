#include <doctest/doctest.h>

#include "server/sse.hpp"

using namespace igw::server;

TEST_SUITE("sse") {
  TEST_CASE("events come out whole, across arbitrary splits, LF or CRLF") {
    SseSplitter s;
    s.feed("data: {\"a\":1}\n");
    CHECK_FALSE(s.next_event());
    s.feed("\ndata: {\"b\"");
    auto e1 = s.next_event();
    REQUIRE(e1);
    CHECK(*e1 == "data: {\"a\":1}\n\n");
    CHECK_FALSE(s.next_event());
    s.compact();
    s.feed(":2}\r\n\r\ndata: [DONE]\n\n");
    auto e2 = s.next_event();
    REQUIRE(e2);
    CHECK(event_data(*e2) == "{\"b\":2}");
    auto e3 = s.next_event();
    REQUIRE(e3);
    CHECK(is_done_event(event_data(*e3)));
    CHECK(s.pending_bytes() == 0);
  }

  TEST_CASE("event data joins data lines and ignores comments and other fields") {
    CHECK(event_data(": keep-alive\n\n").empty());
    CHECK(event_data("event: x\ndata: a\ndata:b\n\n") == "a\nb");
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
