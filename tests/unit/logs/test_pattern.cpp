#include <chrono>
#include <optional>
#include <string>

#include <doctest/doctest.h>

#include "logs/pattern.hpp"

using namespace igw::logs;

namespace {

Pattern compiled(std::string_view text) {
  auto p = Pattern::compile(text);
  REQUIRE_MESSAGE(p, text);
  return *p;
}

}  // namespace

TEST_SUITE("logs pattern") {
  TEST_CASE("full_match needs the whole text; search any part") {
    auto p = compiled("time(out)?");
    CHECK(p.full_match("time"));
    CHECK(p.full_match("timeout"));
    CHECK_FALSE(p.full_match("timeout after 5s"));
    CHECK(p.search("timeout after 5s"));
    CHECK(p.search("a timer"));
    CHECK_FALSE(p.search("tim"));
  }

  TEST_CASE("Perl syntax: classes, alternation, counted repeats, non-greedy, inline case-insensitivity") {
    CHECK(compiled(R"(\d{3})").full_match("502"));
    CHECK_FALSE(compiled(R"(\d{3})").full_match("50"));
    CHECK(compiled(R"(mcp\.(client|server))").full_match("mcp.client"));
    CHECK_FALSE(compiled(R"(mcp\.client)").full_match("mcpxclient"));
    CHECK(compiled(R"(\bslow\b)").search("upstream slow now"));
    CHECK_FALSE(compiled(R"(\bslow\b)").search("slowly"));
    CHECK(compiled("(?i)ERROR").full_match("error"));
    CHECK_FALSE(compiled("ERROR").full_match("error"));
    CHECK(compiled("a.*?b").full_match("axxbyyb"));
    CHECK(compiled(R"(req-(?=\d))").search("req-0001"));
  }

  TEST_CASE("anchors inside a search pattern pin it to the ends of the text") {
    auto start = compiled("^upstream");
    CHECK(start.search("upstream failed"));
    CHECK_FALSE(start.search("the upstream"));
    auto end = compiled("failed$");
    CHECK(end.search("upstream failed"));
    CHECK_FALSE(end.search("failed upstream"));
  }

  TEST_CASE("the empty pattern matches only empty text whole, and any text by search") {
    auto p = compiled("");
    CHECK(p.full_match(""));
    CHECK_FALSE(p.full_match("x"));
    CHECK(p.search("anything"));
    CHECK(p.search(""));
  }

  TEST_CASE("text is bytes: embedded NULs and UTF-8 are matched, a view's end is respected") {
    auto p = compiled("a.b");
    CHECK(p.full_match(std::string_view("a\0b", 3)));
    CHECK(compiled("caf\xc3\xa9").full_match("caf\xc3\xa9"));
    std::string text = "abcdef";
    CHECK_FALSE(compiled("abcd").full_match(std::string_view(text).substr(0, 3)));
    CHECK_FALSE(compiled("d").search(std::string_view(text).substr(0, 3)));
  }

  TEST_CASE("a bad pattern is an error saying what is wrong") {
    for (std::string_view bad : {"(", "[a-", "a{2,1}", "*x", R"(\)"}) {
      CAPTURE(bad);
      auto p = Pattern::compile(bad);
      REQUIRE_FALSE(p);
      CHECK_FALSE(p.error().empty());
    }
    CHECK(Pattern::compile("(").error().find("(") != std::string::npos);
  }

  TEST_CASE("copies share the compiled pattern and outlive the original") {
    std::optional<Pattern> copy;
    {
      auto original = compiled("x+y");
      copy = original;
    }
    CHECK(copy->full_match("xxy"));
    CHECK_FALSE(copy->full_match("y"));
  }

  // Catastrophic backtracking: the engine gives up, and the line is treated as not matching, quickly.
  TEST_CASE("a pathological pattern on a long line does not match and does not throw") {
    auto p = compiled("(x+x+)+y");
    std::string line(3000, 'x');
    auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(p.search(line));
    CHECK_FALSE(p.full_match(line));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
    CHECK(p.search(line + "y"));  // still usable afterwards, and right when a match is easy
  }

  // LogQL's =~ is RE2's: `.` does not match a newline unless (?s) asks for it. Gateway messages can hold
  // newlines (a quoted upstream error, for one).
  TEST_CASE("full_match: '.' does not cross a newline, as in LogQL") {
    CHECK_FALSE(compiled("a.*").full_match("a\nb"));
    CHECK(compiled("(?s)a.*").full_match("a\nb"));
    CHECK_FALSE(compiled("^second").search("first\nsecond"));
  }
}
