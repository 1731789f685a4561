#include <doctest/doctest.h>

#include "logs/time.hpp"

using namespace igw::logs;

TEST_SUITE("logs time") {
  TEST_CASE("RFC 3339 times with fractions and offsets") {
    CHECK(*parse_rfc3339_ms("1970-01-01T00:00:00Z") == 0);
    CHECK(*parse_rfc3339_ms("2026-01-15T10:00:00.000Z") == 1768471200000);
    CHECK(*parse_rfc3339_ms("2026-01-15T10:00:00.5Z") == 1768471200500);
    CHECK(*parse_rfc3339_ms("2026-01-15T11:30:00+01:30") == 1768471200000);
    CHECK(*parse_rfc3339_ms("2026-01-15 08:00:00-02:00") == 1768471200000);
    CHECK(*parse_rfc3339_ms("2024-02-29T00:00:00Z") == 1709164800000);
  }

  TEST_CASE("malformed times are rejected") {
    for (const char* bad :
         {"", "2026-01-15", "2026-01-15T10:00:00", "2026-13-01T00:00:00Z", "2026-01-15T25:00:00Z",
          "2026-01-15T10:00:00.Z", "2026-01-15T10:00:00Zjunk", "yesterday"})
      CHECK_MESSAGE(!parse_rfc3339_ms(bad), bad);
  }

  TEST_CASE("durations") {
    CHECK(*parse_duration_ms("10m") == 600000);
    CHECK(*parse_duration_ms("1h30m") == 5400000);
    CHECK(*parse_duration_ms("2d") == 172800000);
    CHECK(*parse_duration_ms("250ms") == 250);
    CHECK(*parse_duration_ms("45s") == 45000);
    CHECK(!parse_duration_ms("10"));
    CHECK(!parse_duration_ms("m"));
    CHECK(!parse_duration_ms("10w"));
    CHECK(!parse_duration_ms("-5m"));
  }

  TEST_CASE("--since takes a duration back from now or a time") {
    CHECK(*parse_since("10m", 1000000) == 400000);
    CHECK(*parse_since("2026-01-15T10:00:00Z", 0) == 1768471200000);
    auto bad = parse_since("soon", 0);
    REQUIRE(!bad);
    CHECK(bad.error().find("'soon'") != std::string::npos);
    CHECK(bad.error().find("duration") != std::string::npos);
  }
}
