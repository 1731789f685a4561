#include <doctest/doctest.h>

#include <thread>

#include "server/http_read.hpp"
#include "socket_pair.hpp"

using namespace igw::server;
using namespace std::chrono_literals;

using Pair = igw::server::testing::SocketPair;

TEST_SUITE("http_read") {
  TEST_CASE("a request arriving a byte at a time is read whole") {
    Pair p;
    const std::string text = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
    std::thread writer([&] {
      for (char c : text) {
        asio::write(*p.peer, asio::buffer(&c, 1));
        std::this_thread::sleep_for(1ms);
      }
    });
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    auto ec = p.run([&] { return http_read_message(*p.ours, buffer, parser); });
    writer.join();
    CHECK_FALSE(ec);
    CHECK(parser.get().target() == "/v1/chat/completions");
    CHECK(parser.get().body() == "hello");
  }

  TEST_CASE("pipelined requests: the second stays in the buffer for the next read") {
    Pair p;
    p.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok");
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> first;
    CHECK_FALSE(p.run([&] { return http_read_message(*p.ours, buffer, first); }));
    CHECK(first.get().target() == "/a");
    http::request_parser<http::string_body> second;
    CHECK_FALSE(p.run([&] { return http_read_header(*p.ours, buffer, second); }));
    CHECK(second.get().target() == "/b");
    CHECK_FALSE(second.is_done());
    CHECK_FALSE(p.run([&] { return http_read_message(*p.ours, buffer, second); }));
    CHECK(second.get().body() == "ok");
    CHECK(buffer.size() == 0);
  }

  TEST_CASE("limits and broken input come back as Beast's errors") {
    {
      Pair p;
      p.send("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n");
      beast::flat_buffer buffer;
      http::request_parser<http::string_body> parser;
      parser.body_limit(10);
      CHECK(p.run([&] { return http_read_header(*p.ours, buffer, parser); }) == http::error::body_limit);
    }
    {
      Pair p;
      p.send("GET / HTTP/1.1\r\nX-Long: " + std::string(2000, 'a') + "\r\n\r\n");
      beast::flat_buffer buffer;
      http::request_parser<http::string_body> parser;
      parser.header_limit(1024);
      CHECK(p.run([&] { return http_read_header(*p.ours, buffer, parser); }) == http::error::header_limit);
    }
    {
      Pair p;
      p.send("GET / HTTP/1.1\r\nBad Header\r\n\r\n");
      beast::flat_buffer buffer;
      http::request_parser<http::string_body> parser;
      auto ec = p.run([&] { return http_read_header(*p.ours, buffer, parser); });
      CHECK(ec);
      CHECK(ec != timed_out_error());
    }
  }

  TEST_CASE("the peer closing: before a message, mid-message, and as the end of a close-delimited body") {
    {
      Pair p;
      p.peer->close();
      beast::flat_buffer buffer;
      http::request_parser<http::string_body> parser;
      CHECK(p.run([&] { return http_read_header(*p.ours, buffer, parser); }) == http::error::end_of_stream);
    }
    {
      Pair p;
      p.send("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
      p.peer->shutdown(Socket::shutdown_send);
      beast::flat_buffer buffer;
      http::request_parser<http::string_body> parser;
      CHECK(p.run([&] { return http_read_message(*p.ours, buffer, parser); }) == http::error::partial_message);
    }
    {
      Pair p;
      p.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it");
      p.peer->shutdown(Socket::shutdown_send);
      beast::flat_buffer buffer;
      http::response_parser<http::string_body> parser;
      CHECK_FALSE(p.run([&] { return http_read_message(*p.ours, buffer, parser); }));
      CHECK(parser.get().body() == "all of it");
      CHECK(parser.is_done());
    }
  }

  TEST_CASE("a chunked body read piece by piece into a caller's buffer") {
    Pair p;
    p.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n");
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    CHECK_FALSE(p.run([&] { return http_read_header(*p.ours, buffer, parser); }));
    std::string body;
    char piece[4];
    while (!parser.is_done()) {
      parser.get().body().data = piece;
      parser.get().body().size = sizeof piece;
      auto ec = p.run([&] { return http_read_some(*p.ours, buffer, parser); });
      if (ec == http::error::need_buffer) ec = {};
      REQUIRE_FALSE(ec);
      body.append(piece, sizeof piece - parser.get().body().size);
    }
    CHECK(body == "hello, world");
  }
}
