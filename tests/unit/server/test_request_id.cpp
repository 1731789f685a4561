#include <doctest/doctest.h>

#include <set>

#include "server/request_id.hpp"

using namespace igw::server;

TEST_SUITE("request_id") {
  TEST_CASE("sane ids: 1 to 128 printable characters without spaces") {
    CHECK(is_sane_request_id("abc-123_XYZ.:/"));
    CHECK(is_sane_request_id(std::string(128, 'a')));
    CHECK_FALSE(is_sane_request_id(std::string(129, 'a')));
    CHECK_FALSE(is_sane_request_id(""));
    CHECK_FALSE(is_sane_request_id("a b"));
    CHECK_FALSE(is_sane_request_id("a\nb"));
    CHECK_FALSE(is_sane_request_id("caf\xc3\xa9"));
  }

  TEST_CASE("new ids are UUIDv4 and differ") {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
      auto id = new_request_id();
      REQUIRE(id.size() == 36);
      CHECK(id[8] == '-');
      CHECK(id[14] == '4');
      CHECK(std::string_view{"89ab"}.find(id[19]) != std::string_view::npos);
      seen.insert(id);
    }
    CHECK(seen.size() == 100);
  }

  TEST_CASE("the incoming id is kept when sane, replaced otherwise") {
    CHECK(choose_request_id("req-1") == "req-1");
    CHECK(choose_request_id("bad id").size() == 36);
    CHECK(choose_request_id("").size() == 36);
  }
}
