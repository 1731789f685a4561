#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "telemetry/log.hpp"

using namespace igw::telemetry::log;

TEST_SUITE("telemetry/log") {
  TEST_CASE("a line is one JSON object with the page's fields") {
    // 2026-01-02T03:04:05.678Z
    auto line = format_line(Level::error, logger::http, "upstream said \"no\"\n",
                            {{field::status_code, 502}, {field::provider, "openai"}, {field::duration_ms, 12.5},
                             {"ok", false}},
                            1767323045678);
    CHECK(line.find('\n') == std::string::npos);
    auto j = nlohmann::json::parse(line);
    CHECK(j["timestamp"] == "2026-01-02T03:04:05.678Z");
    CHECK(j["level"] == "error");
    CHECK(j["logger"] == "http");
    CHECK(j["message"] == "upstream said \"no\"\n");
    CHECK(j["status_code"] == 502);
    CHECK(j["provider"] == "openai");
    CHECK(j["duration_ms"] == 12.5);
    CHECK(j["ok"] == false);
  }

  TEST_CASE("control characters and non-finite numbers stay valid JSON") {
    auto line = format_line(Level::info, "x", std::string_view("a\x01" "b\tc", 5), {{"v", 1.0 / 0.0}}, 0);
    auto j = nlohmann::json::parse(line);
    CHECK(j["message"] == std::string("a\x01" "b\tc"));
    CHECK(j["v"].is_null());
    CHECK(j["timestamp"] == "1970-01-01T00:00:00.000Z");
  }

  TEST_CASE("levels") {
    CHECK(parse_level("warning") == Level::warn);
    CHECK(parse_level("warn") == Level::warn);
    CHECK_FALSE(parse_level("loud").has_value());
    init(Level::warn, Sink::stderr_sync);
    CHECK_FALSE(enabled(Level::info));
    CHECK(enabled(Level::error));
    init(Level::info, Sink::stdout_sync);
  }
}

TEST_CASE("escaping agrees with a byte-by-byte reference on random strings") {
  auto reference = [](std::string_view s) {
    std::string out;
    for (char ch : s) {
      auto c = static_cast<unsigned char>(ch);
      if (c == '"') out += "\\\"";
      else if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else if (c == '\r') out += "\\r";
      else if (c == '\t') out += "\\t";
      else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else out += ch;
    }
    return out;
  };
  std::uint64_t state = 12345;
  auto next = [&] { return state = state * 6364136223846793005ULL + 1442695040888963407ULL; };
  const char specials[] = {'"', '\\', '\n', '\x01', '\x1f', ' ', '\x7f', '\x80', '\xff', 'a'};
  for (int round = 0; round < 5000; ++round) {
    std::string s(next() % 40, 'x');
    for (auto& ch : s)
      ch = (next() % 4 == 0) ? specials[next() % sizeof specials] : static_cast<char>('a' + next() % 26);
    std::string got;
    append_json_escaped(got, s);
    REQUIRE_MESSAGE(got == reference(s), "input of " << s.size() << " bytes, round " << round);
  }
}

TEST_CASE("numbers are written with three decimals, as printf would") {
  auto raw = [](double d) {
    auto line = format_line(Level::info, "x", "m", {{"v", d}}, 0);
    auto at = line.find("\"v\":") + 4;
    return line.substr(at, line.size() - 1 - at);
  };
  CHECK(raw(812.5) == "812.500");
  CHECK(raw(2.446) == "2.446");
  CHECK(raw(0) == "0.000");
  CHECK(raw(-3.25) == "-3.250");
  CHECK(raw(-0.0004) == "-0.000");
  CHECK(raw(1e15) == "1000000000000000.000");
  CHECK(raw(0.0 / 0.0) == "null");
  std::uint64_t state = 7;
  auto next = [&] { return state = state * 6364136223846793005ULL + 1442695040888963407ULL; };
  int differing = 0;
  for (int i = 0; i < 20000; ++i) {
    double magnitude = std::pow(10.0, static_cast<double>(next() % 12) - 3);
    double d = (static_cast<double>(next() % 2000001) / 1000000.0 - 1.0) * magnitude;
    char want[64];
    std::snprintf(want, sizeof want, "%.3f", d);
    if (raw(d) != want) {
      ++differing;  // only a value a hair from a half-thousandth may round the other way
      CHECK(std::abs(std::stod(raw(d)) - d) <= 0.0005 + 1e-9 * std::abs(d));
    }
  }
  CHECK(differing <= 20);
}
