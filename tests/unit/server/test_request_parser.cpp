#include <doctest/doctest.h>

#include <memory_resource>
#include <string>

#include "server/request_parser.hpp"

using namespace igw::server;

namespace {

// Parses `text` in pieces of `step` bytes (as reads would deliver it); returns the error, if any.
error_code parse(RequestParser& parser, std::string_view text, std::size_t step) {
  std::string pending;
  for (std::size_t at = 0; at < text.size() && !parser.is_done(); at += step) {
    pending.append(text.substr(at, step));
    error_code ec;
    std::size_t used;
    do {
      used = parser.put(asio::buffer(pending), ec);
      pending.erase(0, used);
    } while (!ec && used > 0 && !pending.empty() && !parser.is_done());
    if (ec && ec != http::error::need_more) return ec;
  }
  return {};
}

}  // namespace

TEST_SUITE("request_parser") {
  TEST_CASE("method, target, version, fields in order, lookups by code and by name, body") {
    const std::string text =
        "POST /v1/chat/completions?provider=openai HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
        "X-Request-Id: abc\r\nX-Custom:   spaced value  \r\nx-custom: second\r\nContent-Length: 11\r\n\r\n{\"a\":\"b c\"}";
    for (std::size_t step : {text.size(), std::size_t{1}, std::size_t{7}}) {
      CAPTURE(step);
      std::pmr::monotonic_buffer_resource arena;
      RequestParser parser{&arena};
      REQUIRE_FALSE(parse(parser, text, step));
      REQUIRE(parser.is_done());
      const Request& req = parser.get();
      CHECK(req.method() == Method::post);
      CHECK(req.method_string() == "POST");
      CHECK(req.target() == "/v1/chat/completions?provider=openai");
      CHECK(req.version() == 11);
      CHECK(req.keep_alive());
      CHECK(req["content-type"] == "application/json");
      CHECK(req[FieldId::x_request_id] == "abc");
      CHECK(req["x-request-id"] == "abc");
      CHECK(req["X-CUSTOM"] == "spaced value");  // the first of two, trimmed
      CHECK(req[FieldId::accept].empty());
      CHECK(req["nope"].empty());
      REQUIRE(req.fields().size() == 6);
      CHECK(req.fields()[3].id == FieldId::other);
      CHECK(req.fields()[3].forwarded);
      CHECK(req.fields()[3].name == "X-Custom");
      CHECK(req.fields()[4].value == "second");
      CHECK_FALSE(req.fields()[5].forwarded);  // Content-Length is the upstream request's own
      CHECK(req.body() == "{\"a\":\"b c\"}");
    }
  }

  TEST_CASE("a chunked body, an unknown method, and keep-alive as HTTP/1.0 and 1.1 define it") {
    std::pmr::monotonic_buffer_resource arena;
    RequestParser chunked{&arena};
    REQUIRE_FALSE(parse(chunked, "PURGE /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                                 "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n", 5));
    CHECK(chunked.get().method() == Method::other);
    CHECK(chunked.get().method_string() == "PURGE");
    CHECK(chunked.get().body() == "abcde");
    CHECK_FALSE(chunked.get().keep_alive());

    RequestParser odd{&arena};
    REQUIRE_FALSE(parse(odd, "FROB /y HTTP/1.1\r\n\r\n", 64));
    CHECK(odd.get().method() == Method::other);
    CHECK(odd.get().method_string() == "FROB");

    RequestParser old{&arena};
    REQUIRE_FALSE(parse(old, "GET / HTTP/1.0\r\n\r\n", 64));
    CHECK(old.get().version() == 10);
    CHECK_FALSE(old.get().keep_alive());
    RequestParser old_kept{&arena};
    REQUIRE_FALSE(parse(old_kept, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 64));
    CHECK(old_kept.get().keep_alive());
  }

  TEST_CASE("a header past the arena's first block, and what was read before a limit stopped the parse") {
    std::array<std::byte, 64> small;
    std::pmr::monotonic_buffer_resource arena{small.data(), small.size()};
    RequestParser big{&arena};
    const std::string value(5000, 'v');
    REQUIRE_FALSE(parse(big, "GET /big HTTP/1.1\r\nX-Big: " + value + "\r\nX-After: 1\r\n\r\n", 512));
    CHECK(big.get()["x-big"] == value);
    CHECK(big.get()["x-after"] == "1");

    std::pmr::monotonic_buffer_resource arena2;
    RequestParser limited{&arena2};
    limited.body_limit(10);
    auto ec = parse(limited, "POST /v1/chat/completions HTTP/1.1\r\nX-Request-Id: early\r\nContent-Length: 100\r\n\r\n", 1000);
    CHECK(ec == http::error::body_limit);
    CHECK(limited.get().target() == "/v1/chat/completions");
    CHECK(limited.get()["X-Request-Id"] == "early");
  }
}
