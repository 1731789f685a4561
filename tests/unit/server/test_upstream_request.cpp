#include <doctest/doctest.h>

#include <memory_resource>

#include "server/beast.hpp"
#include "server/request_parser.hpp"
#include "server/upstream_request.hpp"

using namespace igw::server;

namespace {

http::request<http::string_body> parse_request(const std::string& text) {
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  error_code ec;
  parser.put(asio::buffer(text), ec);
  REQUIRE_MESSAGE(!ec, ec.message());
  REQUIRE(parser.is_done());
  return parser.release();
}

}  // namespace

TEST_SUITE("upstream_request") {
  TEST_CASE("the head carries method, target, fields and the body's length; Beast reads it back") {
    UpstreamRequest req{"POST", "/v1/chat/completions?x=1"};
    req.set("Host", "api.example.test");
    req.set("X-Request-Id", "abc");
    req.body() = R"({"a":1})";
    std::string text;
    req.append_head(text);
    CHECK(text ==
          "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: api.example.test\r\nX-Request-Id: abc\r\n"
          "Content-Length: 7\r\n\r\n");
    auto parsed = parse_request(text + req.body());
    CHECK(parsed.method() == http::verb::post);
    CHECK(parsed.target() == "/v1/chat/completions?x=1");
    CHECK(parsed["x-request-id"] == "abc");
    CHECK(parsed.body() == R"({"a":1})");
  }

  TEST_CASE("a GET without a body has no Content-Length; a POST with an empty one says 0") {
    std::string get_head, post_head;
    UpstreamRequest{"GET", "/v1/models"}.append_head(get_head);
    CHECK(get_head == "GET /v1/models HTTP/1.1\r\n\r\n");
    UpstreamRequest{"POST", "/x"}.append_head(post_head);
    CHECK(post_head == "POST /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  }

  TEST_CASE("set replaces a field whatever its case; erase, has and lookup ignore case") {
    UpstreamRequest req{"POST", "/"};
    req.set("content-type", "text/plain");
    req.set("Content-Type", "application/json");
    CHECK(req["CONTENT-TYPE"] == "application/json");
    std::string text;
    req.append_head(text);
    CHECK(text.find("text/plain") == std::string::npos);
    req.set_owned("Authorization", std::string{"Bearer "} + "sk-1");
    CHECK(req.has("authorization"));
    CHECK(req["authorization"] == "Bearer sk-1");
    req.erase("AUTHORIZATION");
    CHECK_FALSE(req.has("Authorization"));
    CHECK(req["nope"].empty());
  }

  TEST_CASE("caller headers: hop-by-hop fields, credentials and proxy-* stay behind") {
    std::pmr::monotonic_buffer_resource arena;
    RequestParser parser{&arena};
    const std::string text =
        "POST /v1/chat/completions HTTP/1.1\r\nConnection: keep-alive\r\nAuthorization: Bearer client-token\r\n"
        "x-api-key: client-key\r\nProxy-Authorization: Basic x\r\nHost: gateway\r\nContent-Length: 2\r\n"
        "Accept-Encoding: gzip\r\nOpenAI-Organization: org-1\r\nX-Custom: kept\r\n\r\n{}";
    parser.eager(true);
    error_code ec;
    parser.put(asio::buffer(text), ec);
    REQUIRE_FALSE(ec);
    const Request& caller = parser.get();
    UpstreamRequest req{"POST", "/v1/chat/completions"};
    copy_caller_headers(caller, req);
    CHECK(req["OpenAI-Organization"] == "org-1");
    CHECK(req["x-custom"] == "kept");
    for (auto gone : {"connection", "authorization", "x-api-key", "proxy-authorization", "host", "content-length",
                      "accept-encoding"})
      CHECK_MESSAGE(!req.has(gone), gone);
  }
}
