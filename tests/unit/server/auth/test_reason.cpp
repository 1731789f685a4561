#include <doctest/doctest.h>

#include <set>
#include <string>

#include "server/auth/reason.hpp"

using namespace igw::server::auth;

TEST_SUITE("auth reason") {
  TEST_CASE("every reason has a distinct snake_case name, usable as a metric label value") {
    std::set<std::string_view> names;
    for (int i = 0; i < kReasonCount; ++i) {
      auto name = to_string(static_cast<Reason>(i));
      CAPTURE(name);
      CHECK(!name.empty());
      CHECK(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string_view::npos);
      names.insert(name);
    }
    CHECK(names.size() == static_cast<std::size_t>(kReasonCount));
    CHECK(to_string(Reason::bad_signature) == "bad_signature");
    CHECK(to_string(Reason::keys_unavailable) == "keys_unavailable");
  }

  TEST_CASE("descriptions fit in a quoted error_description: printable, no quote, no backslash") {
    for (int i = 0; i < kReasonCount; ++i) {
      auto text = describe(static_cast<Reason>(i));
      CAPTURE(text);
      CHECK(!text.empty());
      for (char c : text) {
        CHECK(c >= 0x20);
        CHECK(c < 0x7f);
        CHECK(c != '"');
        CHECK(c != '\\');
      }
    }
    CHECK(describe(Reason::expired) == "the token has expired");
  }
}
