#include <string>

#include <doctest/doctest.h>

#include "logs/query.hpp"

using namespace igw::logs;

namespace {

bool q(const std::string& query, const std::string& json) {
  auto parsed = Query::parse(query);
  REQUIRE_MESSAGE(parsed, query << ": " << (parsed ? "" : parsed.error().message));
  Line line;
  REQUIRE_MESSAGE(line.parse(json), json);
  return parsed->matches(line);
}

QueryError err(const std::string& query) {
  auto parsed = Query::parse(query);
  REQUIRE_MESSAGE(!parsed, query);
  return parsed.error();
}

const std::string kLine =
    R"({"level":"error","logger":"mcp.client","status_code":502,"code":"503","duration_ms":12.5,)"
    R"("provider":"openai","ok":false,"trace_id":null,"usage":{"total_tokens":42},"message":"a \"b\""})";

}  // namespace

TEST_SUITE("logs query") {
  TEST_CASE("comparison operators on numbers") {
    CHECK(q("status_code >= 500", kLine));
    CHECK(q("status_code > 501", kLine));
    CHECK(!q("status_code > 502", kLine));
    CHECK(q("status_code <= 502", kLine));
    CHECK(!q("status_code < 502", kLine));
    CHECK(q("status_code = 502", kLine));
    CHECK(q("status_code == 502", kLine));
    CHECK(q("status_code != 500", kLine));
    CHECK(q("duration_ms < 12.6", kLine));
    CHECK(q("code >= 500", kLine));            // a numeric string compares as a number
    CHECK(q("status_code = \"502\"", kLine));  // a string compares with the text as written
  }

  TEST_CASE("strings, regexes, booleans and null") {
    CHECK(q("provider = \"openai\"", kLine));
    CHECK(q("provider = 'openai'", kLine));
    CHECK(q("provider = openai", kLine));  // a bare word is a string
    CHECK(!q("provider = \"anthropic\"", kLine));
    CHECK(q("logger =~ \"mcp.*\"", kLine));
    CHECK(!q("logger =~ \"mcp\"", kLine));  // the whole value must match
    CHECK(q("logger !~ \"http|proxy\"", kLine));
    CHECK(q("message = \"a \\\"b\\\"\"", kLine));
    CHECK(q("ok = false", kLine));
    CHECK(!q("ok = true", kLine));
    CHECK(q("trace_id = null", kLine));
    CHECK(q("missing = null", kLine));
    CHECK(!q("provider = null", kLine));
    CHECK(q("provider != null", kLine));
    CHECK(q("provider > \"a\"", kLine));  // strings order lexically
  }

  TEST_CASE("missing fields: orderings are false, != holds") {
    CHECK(!q("nope > 1", kLine));
    CHECK(!q("nope < 1", kLine));
    CHECK(!q("nope = \"x\"", kLine));
    CHECK(q("nope != \"x\"", kLine));
    CHECK(!q("nope =~ \".*\"", kLine));
    CHECK(q("nope !~ \"x\"", kLine));
  }

  TEST_CASE("dotted names for nested fields") {
    CHECK(q("usage.total_tokens = 42", kLine));
    CHECK(!q("usage.total_tokens > 42", kLine));
    CHECK(!q("usage.nope = 42", kLine));
  }

  TEST_CASE("and, or, not and parentheses with the usual precedence") {
    CHECK(q("status_code >= 500 and provider = \"openai\"", kLine));
    CHECK(!q("status_code >= 500 and provider = \"x\"", kLine));
    CHECK(q("provider = \"x\" or status_code = 502", kLine));
    CHECK(q("provider = \"x\" and status_code = 1 or level = \"error\"", kLine));  // and binds tighter
    CHECK(!q("provider = \"x\" and (status_code = 1 or level = \"error\")", kLine));
    CHECK(q("not provider = \"x\"", kLine));
    CHECK(!q("not (provider = \"openai\")", kLine));
    CHECK(q("NOT provider = \"x\" AND level = error", kLine));
    CHECK(q("((level = \"error\"))", kLine));
  }

  TEST_CASE("errors carry the position of the fault") {
    CHECK(err("").position == 0);
    CHECK(err("status_code >=").position == 14);
    CHECK(err("status_code >= and").position == 15);
    CHECK(err("status_code 500").position == 12);
    CHECK(err("(level = \"error\"").position == 16);
    CHECK(err("level = \"error").position == 8);
    CHECK(err("level = error )").position == 14);
    CHECK(err("level ! error").position == 6);
    CHECK(err("logger =~ \"[\"").position == 10);
    CHECK(err("logger =~ 5").position == 10);
    CHECK(err("code > null").position == 7);
    CHECK(err("and = 1").position == 0);
    CHECK(err("a = 1 b = 2").position == 6);
    CHECK(err("a = 1 # b").position == 6);
    std::string deep(1000, '(');
    CHECK(!Query::parse(deep + "a = 1"));
  }

  TEST_CASE("describe points a caret at the column") {
    auto e = err("status_code >= and");
    std::string text = describe(e, "status_code >= and");
    CHECK(text.find("column 16") != std::string::npos);
    CHECK(text.find("\n  status_code >= and\n  " + std::string(15, ' ') + "^") != std::string::npos);
    CHECK(text.find("expected a value") != std::string::npos);
  }
}
