#include <doctest/doctest.h>

#include <string>

#include "server/http_read.hpp"
#include "server/upstream_response.hpp"
#include "socket_pair.hpp"

using namespace igw::server;
using Pair = igw::server::testing::SocketPair;

namespace {

// Reads the head, then the whole body through targets of `piece` bytes.
std::string read_body(Pair& p, beast::flat_buffer& buffer, UpstreamResponseParser& parser, std::size_t piece) {
  REQUIRE_FALSE(p.run([&] { return http_read_header(*p.ours, buffer, parser); }));
  std::string body, chunk(piece, '\0');
  while (!parser.is_done()) {
    parser.body_target(chunk.data(), chunk.size());
    auto ec = p.run([&] { return http_read_some(*p.ours, buffer, parser); });
    if (ec == http::error::need_buffer) ec = {};
    REQUIRE_FALSE(ec);
    body.append(chunk.data(), chunk.size() - parser.body_room());
  }
  return body;
}

}  // namespace

TEST_SUITE("upstream_response") {
  TEST_CASE("status, content type and a chunked event stream, taken in small pieces") {
    Pair p;
    p.send("HTTP/1.1 200 OK\r\nDate: x\r\nContent-Type: text/event-stream; charset=utf-8\r\nX-Request-Id: r1\r\n"
           "Transfer-Encoding: chunked\r\n\r\n"
           "f\r\ndata: {\"a\":1}\n\n\r\n" "e;ext=1\r\ndata: [DONE]\n\n\r\n" "0\r\nTrailer: t\r\n\r\n");
    beast::flat_buffer buffer;
    UpstreamResponseParser parser;
    CHECK(read_body(p, buffer, parser, 5) == "data: {\"a\":1}\n\ndata: [DONE]\n\n");
    CHECK(parser.status() == 200);
    CHECK(parser.version() == 11);
    CHECK(parser.content_type() == "text/event-stream; charset=utf-8");
    CHECK(parser.keep_alive());
    CHECK(parser.chunked());
  }

  TEST_CASE("a length-delimited error answer, and an answer that ends when the connection closes") {
    {
      Pair p;
      p.send("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: 17\r\n"
             "Connection: close\r\n\r\n{\"error\":\"slow\"}\n");
      beast::flat_buffer buffer;
      UpstreamResponseParser parser;
      CHECK(read_body(p, buffer, parser, 4096) == "{\"error\":\"slow\"}\n");
      CHECK(parser.status() == 429);
      CHECK_FALSE(parser.keep_alive());
      CHECK(parser.content_length().value_or(0) == 17u);
    }
    {
      Pair p;
      p.send("HTTP/1.0 200 OK\r\n\r\nuntil the end");
      p.peer->shutdown(Socket::shutdown_send);
      beast::flat_buffer buffer;
      UpstreamResponseParser parser;
      CHECK(read_body(p, buffer, parser, 3) == "until the end");
      CHECK(parser.version() == 10);
      CHECK(parser.content_type().empty());
      CHECK_FALSE(parser.content_length().has_value());
    }
  }

  TEST_CASE("no room for the body: the parser stops with need_buffer and takes nothing") {
    Pair p;
    p.send("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
    beast::flat_buffer buffer;
    UpstreamResponseParser parser;
    REQUIRE_FALSE(p.run([&] { return http_read_header(*p.ours, buffer, parser); }));
    char none[1];
    parser.body_target(none, 0);
    CHECK(p.run([&] { return http_read_some(*p.ours, buffer, parser); }) == http::error::need_buffer);
    CHECK_FALSE(parser.is_done());
    CHECK(read_body(p, buffer, parser, 2) == "abc");  // the body is all still there for the next target
  }
}
