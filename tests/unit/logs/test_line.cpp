#include <string>

#include <doctest/doctest.h>

#include "logs/line.hpp"

using igw::logs::Kind;
using igw::logs::Line;

TEST_SUITE("logs line") {
  TEST_CASE("a flat object gives its members with raw values and kinds") {
    Line l;
    REQUIRE(l.parse(R"({"a":"x","b":12.5,"c":true,"d":null,"e":{"f":1},"g":[1,"]"]})"));
    REQUIRE(l.members().size() == 6);
    CHECK(l.find("a")->raw == "\"x\"");
    CHECK(l.find("b")->kind == Kind::number);
    CHECK(l.find("c")->kind == Kind::boolean);
    CHECK(l.find("d")->kind == Kind::null);
    CHECK(l.find("e")->raw == R"({"f":1})");
    CHECK(l.find("g")->raw == R"([1,"]"])");
    CHECK(l.find("missing") == nullptr);
  }

  TEST_CASE("whitespace around tokens is accepted") {
    Line l;
    CHECK(l.parse(" { \"a\" : 1 , \"b\" : [ ] }\r"));
    CHECK(l.find("b")->raw == "[ ]");
    CHECK(l.parse("{}"));
    CHECK(l.members().empty());
  }

  TEST_CASE("anything but one JSON object is rejected") {
    Line l;
    for (const char* bad :
         {"", "not json", "[1,2]", "42", "\"s\"", R"({"a":1)", R"({"a":1}x)", R"({"a":})", R"({a:1})",
          R"({"a":1,})", R"({"a":"unterminated})", R"({"a":"bad \q escape"})", R"({"a":"\u12"})",
          R"({"a":tru})", R"({"a":-})", R"({"a":1.})", "{\"a\":\"raw\ttab\"}", R"({"a":1}{"b":2})"}) {
      CHECK_MESSAGE(!l.parse(bad), bad);
      CHECK(l.members().empty());
    }
  }

  TEST_CASE("nesting deeper than the limit is rejected, not a stack overflow") {
    std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
    Line l;
    CHECK(!l.parse(deep));
    std::string ok = "{\"a\":" + std::string(10, '[') + std::string(10, ']') + "}";
    CHECK(l.parse(ok));
  }

  TEST_CASE("escaped quotes and backslashes inside strings") {
    Line l;
    REQUIRE(l.parse(R"({"m":"say \"hi\" \\","k\"ey":2})"));
    CHECK(igw::logs::text_of(*l.find("m")) == "say \"hi\" \\");
    CHECK(l.find("k\"ey") != nullptr);
  }

  TEST_CASE("text_of unescapes, including \\u and surrogate pairs") {
    Line l;
    REQUIRE(l.parse(R"({"m":"a\nb\t\u00e9\ud83d\ude00\/","n":12})"));
    CHECK(igw::logs::text_of(*l.find("m")) == "a\nb\t\xc3\xa9\xf0\x9f\x98\x80/");
    CHECK(igw::logs::text_of(*l.find("n")) == "12");
  }

  TEST_CASE("number_of reads numbers and numeric strings") {
    Line l;
    REQUIRE(l.parse(R"({"a":500,"b":"503","c":"x","d":-1.5e2,"e":null})"));
    CHECK(*igw::logs::number_of(*l.find("a")) == 500);
    CHECK(*igw::logs::number_of(*l.find("b")) == 503);
    CHECK(!igw::logs::number_of(*l.find("c")));
    CHECK(*igw::logs::number_of(*l.find("d")) == -150);
    CHECK(!igw::logs::number_of(*l.find("e")));
  }

  TEST_CASE("dotted paths reach nested members; a dotted key wins") {
    Line l;
    REQUIRE(l.parse(R"({"usage":{"total_tokens":42,"in":{"x":"y"}},"a.b":1,"a":{"b":2}})"));
    CHECK(l.find_path("usage.total_tokens")->raw == "42");
    CHECK(l.find_path("usage.in.x")->raw == "\"y\"");
    CHECK(!l.find_path("usage.missing"));
    CHECK(!l.find_path("usage.total_tokens.deeper"));
    CHECK(l.find_path("a.b")->raw == "1");
    CHECK(!l.find_path("nothing.here"));
  }

  TEST_CASE("invalid UTF-8 inside strings does not reject the line") {
    Line l;
    CHECK(l.parse("{\"m\":\"\xff\xfe bytes\"}"));
  }
}
