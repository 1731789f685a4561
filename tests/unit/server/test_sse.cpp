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
    std::string scratch;
    CHECK(event_data(*e2, scratch) == "{\"b\":2}");
    auto e3 = s.next_event();
    REQUIRE(e3);
    CHECK(is_done_event(event_data(*e3, scratch)));
    CHECK(s.pending_bytes() == 0);
  }

  TEST_CASE("event data joins data lines and ignores comments and other fields") {
    std::string scratch;
    CHECK(event_data(": keep-alive\n\n", scratch).empty());
    CHECK(event_data("event: x\ndata: a\ndata:b\n\n", scratch) == "a\nb");
    CHECK(event_data("data: 1\r\nid: 7\r\ndata: 2\r\ndata:  3\r\n\r\n", scratch) == "1\n2\n 3");
    // One data line: a view into the event itself, whatever scratch held before.
    std::string_view event = "event: chunk\ndata: {\"x\":1}\n\n";
    auto data = event_data(event, scratch);
    CHECK(data == "{\"x\":1}");
    CHECK(data.data() >= event.data());
    CHECK(data.data() + data.size() <= event.data() + event.size());
  }

}
