#include <doctest/doctest.h>

#include "server/beast.hpp"
#include "server/wire.hpp"

using namespace igw::server;

namespace {

// Parses `text` with Beast's own response parser: what we write must be what a client reads.
http::response<http::string_body> parse_response(const std::string& text, bool head_only = false) {
  http::response_parser<http::string_body> parser;
  parser.skip(head_only);
  parser.eager(true);
  error_code ec;
  parser.put(asio::buffer(text), ec);
  REQUIRE_MESSAGE(!ec, ec.message());
  return parser.release();
}

}  // namespace

TEST_SUITE("wire") {
  TEST_CASE("a response with a length, kept alive on HTTP/1.1") {
    std::string text;
    wire::append_response_head(text, {.status = 201,
                                      .version = 11,
                                      .keep_alive = true,
                                      .request_id = "rid-1",
                                      .content_type = "application/json",
                                      .chunked = false,
                                      .content_length = 2,
                                      .event_stream_headers = false, .extra_fields = {}});
    text += "{}";
    CHECK(text.starts_with("HTTP/1.1 201 Created\r\n"));
    auto res = parse_response(text);
    CHECK(res.result_int() == 201);
    CHECK(res["Server"] == "igw");
    CHECK(res["X-Request-Id"] == "rid-1");
    CHECK(res[http::field::content_type] == "application/json");
    CHECK(res.body() == "{}");
    CHECK(res.keep_alive());
  }

  TEST_CASE("closing is announced on HTTP/1.1, keep-alive on HTTP/1.0") {
    std::string close11, keep10, close10;
    wire::append_response_head(close11, {.status = 500, .version = 11, .keep_alive = false, .request_id = {},
                                         .content_type = {}, .chunked = false, .content_length = 0,
                                         .event_stream_headers = false, .extra_fields = {}});
    CHECK(close11.find("Connection: close\r\n") != std::string::npos);
    CHECK(close11.find("X-Request-Id") == std::string::npos);
    CHECK(close11.find("Content-Type") == std::string::npos);
    CHECK_FALSE(parse_response(close11).keep_alive());
    wire::append_response_head(keep10, {.status = 200, .version = 10, .keep_alive = true, .request_id = {},
                                        .content_type = {}, .chunked = false, .content_length = 0,
                                        .event_stream_headers = false, .extra_fields = {}});
    CHECK(keep10.starts_with("HTTP/1.0 200 OK\r\n"));
    CHECK(parse_response(keep10).keep_alive());
    wire::append_response_head(close10, {.status = 200, .version = 10, .keep_alive = false, .request_id = {},
                                         .content_type = {}, .chunked = false, .content_length = 0,
                                         .event_stream_headers = false, .extra_fields = {}});
    CHECK_FALSE(parse_response(close10).keep_alive());
  }

  TEST_CASE("a chunked event stream: head, chunks with hex sizes, last chunk") {
    std::string text;
    wire::append_response_head(text, {.status = 200, .version = 11, .keep_alive = true, .request_id = "r",
                                      .content_type = "text/event-stream", .chunked = true, .content_length = {},
                                      .event_stream_headers = true, .extra_fields = {}});
    std::string big(300, 'x');
    for (std::string_view data : {std::string_view{"data: {}\n\n"}, std::string_view{big}}) {
      std::array<char, 20> line;
      text += wire::chunk_size_line(line, data.size());
      text += data;
      text += wire::kCrlf;
    }
    text += wire::kLastChunk;
    CHECK(text.find("\r\n12c\r\n") != std::string::npos);  // 300 in hex
    auto res = parse_response(text);
    CHECK(res[http::field::cache_control] == "no-cache");
    CHECK(res["X-Accel-Buffering"] == "no");
    CHECK(res.chunked());
    CHECK(res.body() == "data: {}\n\n" + big);
  }

  TEST_CASE("a body that ends with the connection has neither a length nor chunking") {
    std::string text;
    wire::append_response_head(text, {.status = 200, .version = 10, .keep_alive = false, .request_id = {},
                                      .content_type = "text/event-stream", .chunked = false,
                                      .content_length = std::nullopt, .event_stream_headers = true, .extra_fields = {}});
    CHECK(text.find("Content-Length") == std::string::npos);
    CHECK(text.find("Transfer-Encoding") == std::string::npos);
    CHECK(text.ends_with("\r\n\r\n"));
  }

  TEST_CASE("chunk size lines") {
    std::array<char, 20> buf;
    CHECK(wire::chunk_size_line(buf, 0) == "0\r\n");
    CHECK(wire::chunk_size_line(buf, 15) == "f\r\n");
    CHECK(wire::chunk_size_line(buf, 65536) == "10000\r\n");
    CHECK(wire::chunk_size_line(buf, SIZE_MAX) == "ffffffffffffffff\r\n");
  }
}
