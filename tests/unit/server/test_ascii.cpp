#include <doctest/doctest.h>

#include "server/ascii.hpp"

using namespace igw::server;

TEST_SUITE("ascii") {
  TEST_CASE("iequals folds ASCII letters only") {
    CHECK(iequals("Content-Type", "content-type"));
    CHECK(iequals("X-API-KEY", "x-api-key"));
    CHECK(iequals("", ""));
    CHECK_FALSE(iequals("accept", "accepts"));
    CHECK_FALSE(iequals("a[", "A{"));  // '[' and '{' are 32 apart but are not letters
    CHECK_FALSE(iequals("@", "`"));
    CHECK_FALSE(iequals("\xC3\x89", "\xC3\xA9"));  // non-ASCII bytes compare as they are
  }

  TEST_CASE("to_lower") {
    CHECK(to_lower("GPT-4o/Mini_Z") == "gpt-4o/mini_z");
    CHECK(to_lower("[]@`") == "[]@`");
    CHECK(to_lower("") == "");
  }
}
