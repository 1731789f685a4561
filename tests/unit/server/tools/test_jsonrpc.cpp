#include <doctest/doctest.h>

#include <string>

#include "server/tools/jsonrpc.hpp"

using namespace igw::server::tools;

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kSse = "text/event-stream";

// A notification a server may send before the response on the same stream.
constexpr std::string_view kProgress =
    R"({"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":5}})";

}  // namespace

TEST_SUITE("tools/jsonrpc") {
  TEST_CASE("jsonrpc: rpc_request text, with and without params") {
    CHECK(rpc_request(7, "tools/list", R"({"cursor":"c"})") ==
          R"({"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"cursor":"c"}})");
    CHECK(rpc_request(1, "ping", "") == R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
    CHECK(rpc_request(-3, "a\"b", "[]") == R"({"jsonrpc":"2.0","id":-3,"method":"a\"b","params":[]})");
    CHECK(rpc_request(9007199254740993, "x", "{}") == R"({"jsonrpc":"2.0","id":9007199254740993,"method":"x","params":{}})");
  }

  TEST_CASE("jsonrpc: rpc_notification text has no id") {
    CHECK(rpc_notification("notifications/initialized") == R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    CHECK(rpc_notification("notifications/cancelled", R"({"requestId":3})") ==
          R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}})");
  }

  TEST_CASE("jsonrpc: rpc_result of a JSON body is the result's JSON text") {
    auto r = rpc_result(kJson, R"({"jsonrpc":"2.0","id":3,"result":{"x":1,"y":[true,null]}})", 3);
    REQUIRE(r);
    CHECK(*r == R"({"x":1,"y":[true,null]})");
    auto charset = rpc_result("application/json; charset=utf-8", R"({"jsonrpc":"2.0","id":4,"result":"s"})", 4);
    REQUIRE(charset);
    CHECK(*charset == R"("s")");
    auto empty_ct = rpc_result("", R"({"jsonrpc":"2.0","id":5,"result":{}})", 5);
    REQUIRE(empty_ct);
    CHECK(*empty_ct == "{}");
  }

  TEST_CASE("jsonrpc: rpc_result picks the response with the id out of a batch") {
    const std::string batch = std::string{"["} + std::string{kProgress} +
                              R"(,{"jsonrpc":"2.0","id":2,"result":"other"},{"jsonrpc":"2.0","id":3,"result":{"ok":true}}])";
    auto r = rpc_result(kJson, batch, 3);
    REQUIRE(r);
    CHECK(*r == R"({"ok":true})");
    auto other = rpc_result(kJson, batch, 2);
    REQUIRE(other);
    CHECK(*other == R"("other")");
    auto none = rpc_result(kJson, batch, 4);
    REQUIRE_FALSE(none);
    CHECK_FALSE(none.error().is_rpc_error);
  }

  TEST_CASE("jsonrpc: rpc_result of an SSE stream: a notification first, then the response") {
    const std::string body = "event: message\ndata: " + std::string{kProgress} +
                             "\n\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":11,\"result\":{\"tools\":[]}}\n\n";
    auto r = rpc_result(kSse, body, 11);
    REQUIRE_MESSAGE(r, r.error().message);
    CHECK(*r == R"({"tools":[]})");
    auto with_charset = rpc_result("text/event-stream; charset=utf-8", body, 11);
    REQUIRE(with_charset);
    CHECK(*with_charset == R"({"tools":[]})");
  }

  // Media types are case-insensitive (RFC 9110 8.3.1): an SSE answer labelled "Text/Event-Stream" is SSE.
  TEST_CASE("jsonrpc: rpc_result recognises the SSE content type whatever its case") {
    const std::string body = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":21,\"result\":\"ok\"}\n\n";
    auto r = rpc_result("Text/Event-Stream; charset=UTF-8", body, 21);
    REQUIRE_MESSAGE(r, r.error().message);
    CHECK(*r == R"("ok")");
  }

  TEST_CASE("jsonrpc: rpc_result of an SSE stream whose last event lacks its blank line") {
    const std::string response = R"({"jsonrpc":"2.0","id":12,"result":1})";
    SUBCASE("no newline at all") {
      auto r = rpc_result(kSse, "event: message\ndata: " + std::string{kProgress} + "\n\nevent: message\ndata: " + response, 12);
      REQUIRE(r);
      CHECK(*r == "1");
    }
    SUBCASE("one newline") {
      auto r = rpc_result(kSse, "data: " + response + "\n", 12);
      REQUIRE(r);
      CHECK(*r == "1");
    }
    SUBCASE("one CRLF") {
      auto r = rpc_result(kSse, "data: " + response + "\r\n", 12);
      REQUIRE(r);
      CHECK(*r == "1");
    }
  }

  TEST_CASE("jsonrpc: rpc_result of an SSE stream with CRLF line ends") {
    const std::string body = "event: message\r\ndata: " + std::string{kProgress} +
                             "\r\n\r\nid: 1\r\nevent: message\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":13,\"result\":[1,2]}\r\n\r\n";
    auto r = rpc_result(kSse, body, 13);
    REQUIRE(r);
    CHECK(*r == "[1,2]");
  }

  TEST_CASE("jsonrpc: rpc_result of an SSE stream: data over several lines, other ids, non-JSON events skipped") {
    const std::string body =
        ": a comment\n\n"
        "event: ping\ndata: not json\n\n"
        "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"not ours\"}\n\n"
        "data: {\"jsonrpc\":\"2.0\",\"id\":14,\"method\":\"sampling/createMessage\"}\n\n"  // a request, not the response
        "data: {\"jsonrpc\":\"2.0\",\ndata: \"id\":14,\"result\":\"ours\"}\n\n";
    auto r = rpc_result(kSse, body, 14);
    REQUIRE_MESSAGE(r, r.error().message);
    CHECK(*r == R"("ours")");
  }

  TEST_CASE("jsonrpc: an SSE stream that ends without the response is a protocol problem") {
    auto r = rpc_result(kSse, "event: message\ndata: " + std::string{kProgress} + "\n\n", 15);
    REQUIRE_FALSE(r);
    CHECK_FALSE(r.error().is_rpc_error);
    CHECK(r.error().message.find("15") != std::string::npos);
    auto empty = rpc_result(kSse, "", 15);
    REQUIRE_FALSE(empty);
    CHECK_FALSE(empty.error().is_rpc_error);
  }

  TEST_CASE("jsonrpc: a JSON-RPC error is an RpcProblem with its code and message") {
    auto r = rpc_result(kJson, R"({"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"Tool x not found"}})", 3);
    REQUIRE_FALSE(r);
    CHECK(r.error().is_rpc_error);
    CHECK(r.error().code == -32602);
    CHECK(r.error().code == kInvalidParams);
    CHECK(r.error().message == "Tool x not found");

    auto sse = rpc_result(kSse, "data: {\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32601,\"message\":\"no\"}}\n\n", 4);
    REQUIRE_FALSE(sse);
    CHECK(sse.error().is_rpc_error);
    CHECK(sse.error().code == kMethodNotFound);
    CHECK(sse.error().message == "no");

    auto bare = rpc_result(kJson, R"({"jsonrpc":"2.0","id":5,"error":"broken"})", 5);
    REQUIRE_FALSE(bare);
    CHECK(bare.error().is_rpc_error);
    CHECK(bare.error().code == 0);
    CHECK_FALSE(bare.error().message.empty());
  }

  TEST_CASE("jsonrpc: a response with another id is a protocol problem") {
    auto r = rpc_result(kJson, R"({"jsonrpc":"2.0","id":4,"result":{}})", 3);
    REQUIRE_FALSE(r);
    CHECK_FALSE(r.error().is_rpc_error);
    CHECK(r.error().message.find("3") != std::string::npos);
    auto error_for_other = rpc_result(kJson, R"({"jsonrpc":"2.0","id":4,"error":{"code":-1,"message":"x"}})", 3);
    REQUIRE_FALSE(error_for_other);
    CHECK_FALSE(error_for_other.error().is_rpc_error);
    auto string_id = rpc_result(kJson, R"({"jsonrpc":"2.0","id":"3","result":{}})", 3);
    REQUIRE_FALSE(string_id);
    CHECK_FALSE(string_id.error().is_rpc_error);
    auto no_result = rpc_result(kJson, R"({"jsonrpc":"2.0","id":3})", 3);
    REQUIRE_FALSE(no_result);
    CHECK_FALSE(no_result.error().is_rpc_error);
  }

  TEST_CASE("jsonrpc: an answer that is not JSON is a protocol problem") {
    auto r = rpc_result(kJson, "<html>502 Bad Gateway</html>", 3);
    REQUIRE_FALSE(r);
    CHECK_FALSE(r.error().is_rpc_error);
    CHECK(r.error().message == "the answer is not JSON");
    auto empty = rpc_result(kJson, "", 3);
    REQUIRE_FALSE(empty);
    CHECK_FALSE(empty.error().is_rpc_error);
    // An SSE body under a JSON content type is not JSON either.
    auto sse_as_json = rpc_result(kJson, "data: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":1}\n\n", 3);
    REQUIRE_FALSE(sse_as_json);
    CHECK_FALSE(sse_as_json.error().is_rpc_error);
  }
}
