#include <doctest/doctest.h>

#include "data_plane.hpp"
#include "server/request.hpp"

using namespace igw::server;
using igw::server::testing::ParsedRequest;

TEST_SUITE("request") {
  TEST_CASE("lookups by FieldId find each recognised field, whatever its case; the first of two wins") {
    ParsedRequest parsed{
        "POST /v1/chat/completions HTTP/1.1\r\nhost: gw\r\naccept: text/event-stream\r\n"
        "AUTHORIZATION: Bearer t1\r\nExpect: 100-continue\r\nx-request-id: r1\r\nX-Request-Id: r2\r\n"
        "Authorization: Bearer t2\r\nContent-Length: 0\r\n\r\n"};
    const Request& req = parsed.get();
    CHECK(req[FieldId::accept] == "text/event-stream");
    CHECK(req[FieldId::authorization] == "Bearer t1");
    CHECK(req[FieldId::expect] == "100-continue");
    CHECK(req[FieldId::x_request_id] == "r1");
  }

  TEST_CASE("lookups by name compare case-insensitively and give \"\" when absent") {
    ParsedRequest parsed{"GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Trace: a\r\nx-trace: b\r\nEmpty:\r\n\r\n"};
    const Request& req = parsed.get();
    CHECK(req["host"] == "gw");
    CHECK(req["HOST"] == "gw");
    CHECK(req["X-TRACE"] == "a");
    CHECK(req["Empty"].empty());
    CHECK(req["missing"].empty());
    CHECK(req[FieldId::authorization].empty());
    CHECK(req[FieldId::x_request_id].empty());
    // A name is not a prefix match.
    CHECK(req["X-Trac"].empty());
    CHECK(req["X-Traces"].empty());
  }
}
