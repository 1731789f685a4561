#include <string>

#include <doctest/doctest.h>

#include "logs/filter.hpp"

using namespace igw::logs;

namespace {

constexpr std::int64_t kNow = 1768471200000;  // 2026-01-15T10:00:00Z

Filter make(FilterOptions o) {
  auto f = Filter::make(o, kNow);
  REQUIRE_MESSAGE(f, (f ? "" : f.error()));
  return *f;
}

bool keeps(const Filter& f, const std::string& json) {
  Line l;
  REQUIRE_MESSAGE(l.parse(json), json);
  return f.matches(l);
}

std::string error_of(FilterOptions o) {
  auto f = Filter::make(o, kNow);
  REQUIRE(!f);
  return f.error();
}

}  // namespace

TEST_SUITE("logs filter") {
  TEST_CASE("--status forms") {
    CHECK(parse_status("500")->contains(500));
    CHECK(!parse_status("=500")->contains(501));
    CHECK(!parse_status("!=200")->contains(200));
    CHECK(parse_status("!=200")->contains(404));
    CHECK(parse_status("<400")->contains(399));
    CHECK(!parse_status("<400")->contains(400));
    CHECK(parse_status("<=400")->contains(400));
    CHECK(!parse_status(">500")->contains(500));
    CHECK(parse_status(">=500")->contains(500));
    CHECK(parse_status("500-599")->contains(599));
    CHECK(!parse_status("500-599")->contains(600));
    CHECK(parse_status("5xx")->contains(503));
    CHECK(!parse_status("5xx")->contains(600));
    for (const char* bad : {"", "abc", ">=", "599-500", "=>500", "5xy", "500-"})
      CHECK_MESSAGE(!parse_status(bad), bad);
    CHECK(parse_status("x").error().find("'x'") != std::string::npos);
  }

  TEST_CASE("--level keeps that level and above, any case; unknown levels are kept") {
    auto f = make({.level = "warn"});
    CHECK(!keeps(f, R"({"level":"debug"})"));
    CHECK(!keeps(f, R"({"level":"info"})"));
    CHECK(keeps(f, R"({"level":"warn"})"));
    CHECK(keeps(f, R"({"level":"WARNING"})"));
    CHECK(keeps(f, R"({"level":"error"})"));
    CHECK(keeps(f, R"({"level":"fatal"})"));
    CHECK(keeps(f, R"({"message":"no level"})"));
    CHECK(error_of({.level = "loud"}).find("--level: 'loud'") != std::string::npos);
  }

  TEST_CASE("--provider, --model, --request-id match exactly") {
    auto f = make({.provider = "openai", .model = "gpt-4o", .request_id = "r1"});
    CHECK(keeps(f, R"({"provider":"openai","model":"gpt-4o","request_id":"r1"})"));
    CHECK(!keeps(f, R"({"provider":"openai","model":"gpt-4o-mini","request_id":"r1"})"));
    CHECK(!keeps(f, R"({"provider":"openai","model":"gpt-4o"})"));
    CHECK(!keeps(f, R"({"provider":"OpenAI","model":"gpt-4o","request_id":"r1"})"));
    CHECK(keeps(make({.request_id = "a\"b"}), R"({"request_id":"a\"b"})"));
  }

  TEST_CASE("--status needs an integer status_code") {
    auto f = make({.status = ">=500"});
    CHECK(keeps(f, R"({"status_code":502})"));
    CHECK(keeps(f, R"({"status_code":"503"})"));
    CHECK(!keeps(f, R"({"status_code":200})"));
    CHECK(!keeps(f, R"({"status_code":null})"));
    CHECK(!keeps(f, R"({"status_code":500.5})"));
    CHECK(!keeps(f, R"({})"));
  }

  TEST_CASE("--logger is a whole-name regex; --grep searches the message") {
    auto f = make({.logger = "mcp.*"});
    CHECK(keeps(f, R"({"logger":"mcp.client"})"));
    CHECK(!keeps(f, R"({"logger":"http"})"));
    CHECK(!keeps(f, R"({"logger":"xmcp"})"));
    auto g = make({.grep = "time(out)?"});
    CHECK(keeps(g, R"({"message":"tool call timeout after 5s"})"));
    CHECK(!keeps(g, R"({"message":"ok"})"));
    CHECK(!keeps(g, R"({"msg":"timeout"})"));
    CHECK(g.matches_text("plain text with timeout"));
    CHECK(!g.matches_text("plain text"));
    CHECK(make({}).matches_text("anything"));
    CHECK(error_of({.logger = "("}).find("--logger: '('") != std::string::npos);
    CHECK(error_of({.grep = "[a-"}).find("--grep") != std::string::npos);
  }

  TEST_CASE("--since compares the timestamp; lines without one are dropped") {
    auto f = make({.since = "10m"});
    CHECK(keeps(f, R"({"timestamp":"2026-01-15T09:55:00.000Z"})"));
    CHECK(!keeps(f, R"({"timestamp":"2026-01-15T09:45:00.000Z"})"));
    CHECK(!keeps(f, R"({"message":"no time"})"));
    CHECK(!keeps(f, R"({"timestamp":"garbage"})"));
    auto g = make({.since = "2026-01-15T10:00:00Z"});
    CHECK(keeps(g, R"({"timestamp":"2026-01-15T10:00:00.000Z"})"));
    CHECK(!keeps(g, R"({"timestamp":"2026-01-15T09:59:59.999Z"})"));
  }

  TEST_CASE("all filters combine with AND, the query included") {
    auto f =
        make({.level = "info", .status = "5xx", .query = "provider = \"openai\" or provider = \"mock\""});
    CHECK(keeps(f, R"({"level":"error","status_code":502,"provider":"openai"})"));
    CHECK(!keeps(f, R"({"level":"error","status_code":502,"provider":"anthropic"})"));
    CHECK(!keeps(f, R"({"level":"debug","status_code":502,"provider":"openai"})"));
    CHECK(!keeps(f, R"({"level":"info","status_code":200,"provider":"mock"})"));
  }

  TEST_CASE("a bad query is an error with a caret") {
    std::string e = error_of({.query = "status_code >="});
    CHECK(e.find("query: at column 15") != std::string::npos);
    CHECK(e.find("^") != std::string::npos);
  }
}
