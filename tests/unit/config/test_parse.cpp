#include <doctest/doctest.h>

#include "config/parse.hpp"

using namespace igw::config;
using namespace std::chrono_literals;

TEST_SUITE("config/parse") {
  TEST_CASE("Go-style durations") {
    CHECK(parse_duration("30s").value() == 30s);
    CHECK(parse_duration("5m").value() == 5min);
    CHECK(parse_duration("1h30m").value() == 90min);
    CHECK(parse_duration("1.5h").value() == 90min);
    CHECK(parse_duration("300ms").value() == 300ms);
    CHECK(parse_duration("2us").value() == 2us);
    CHECK(parse_duration("2\xC2\xB5s").value() == 2us);
    CHECK(parse_duration("10ns").value() == 10ns);
    CHECK(parse_duration("0").value() == 0s);
    CHECK(parse_duration(" 45s ").value() == 45s);
    for (auto bad : {"", "30", "s", "10x", "abc", "-5s", "1h30", "5 m", "1e3s"}) {
      auto r = parse_duration(bad);
      CHECK_MESSAGE(!r.has_value(), bad);
      if (!r) CHECK(r.error().find("duration") != std::string::npos);
    }
  }

  TEST_CASE("format_duration prints what parse_duration reads") {
    for (std::chrono::nanoseconds d : {0ns, 30'000'000'000ns, std::chrono::nanoseconds{90min}, std::chrono::nanoseconds{300ms},
                                       std::chrono::nanoseconds{1500ms}, std::chrono::nanoseconds{2us}, 7ns,
                                       std::chrono::nanoseconds{3661s}}) {
      auto text = format_duration(d);
      CHECK_MESSAGE(parse_duration(text).value() == d, text);
    }
    CHECK(format_duration(90min) == "1h30m0s");
    CHECK(format_duration(300ms) == "300ms");
  }

  TEST_CASE("booleans") {
    for (auto t : {"true", "TRUE", "True", "1", "t", "yes", "on"}) CHECK_MESSAGE(parse_bool(t).value(), t);
    for (auto f : {"false", "FALSE", "0", "f", "no", "off"}) CHECK_MESSAGE(!parse_bool(f).value(), f);
    for (auto bad : {"", "2", "maybe", "truee"}) CHECK_MESSAGE(!parse_bool(bad).has_value(), bad);
  }

  TEST_CASE("integers and ports") {
    CHECK(parse_integer("42", 0, 100).value() == 42);
    CHECK_FALSE(parse_integer("101", 0, 100).has_value());
    CHECK_FALSE(parse_integer("-1", 0, 100).has_value());
    CHECK_FALSE(parse_integer("4x", 0, 100).has_value());
    CHECK_FALSE(parse_integer("", 0, 100).has_value());
    CHECK(parse_port("9464").value() == 9464);
    CHECK(parse_port("0").value() == 0);
    CHECK_FALSE(parse_port("65536").has_value());
    CHECK_FALSE(parse_port("abc").has_value());
    CHECK(parse_port("abc").error().find("port") != std::string::npos);
  }

  TEST_CASE("sizes") {
    CHECK(parse_size("10485760").value() == 10485760);
    CHECK(parse_size("10MiB").value() == 10485760);
    CHECK(parse_size("512KiB").value() == 524288);
    CHECK(parse_size("1GiB").value() == 1073741824);
    CHECK(parse_size("10MB").value() == 10000000);
    CHECK(parse_size("1k").value() == 1024);
    for (auto bad : {"", "MiB", "10XB", "-1", "99999999999999999999", "18446744073709551615GiB"})
      CHECK_MESSAGE(!parse_size(bad).has_value(), bad);
  }

  TEST_CASE("URLs") {
    CHECK(parse_url("https://api.openai.com/v1").value() == "https://api.openai.com/v1");
    CHECK(parse_url("http://127.0.0.1:4317").has_value());
    for (auto bad : {"", "api.openai.com", "ftp://x", "http://", "https:///path", "http://a b"})
      CHECK_MESSAGE(!parse_url(bad).has_value(), bad);
  }

  TEST_CASE("lists") {
    CHECK(parse_list("a, b,,c ,") == std::vector<std::string>{"a", "b", "c"});
    CHECK(parse_list("").empty());
  }
}
