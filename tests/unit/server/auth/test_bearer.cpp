#include <doctest/doctest.h>

#include "server/auth/bearer.hpp"

using namespace igw::server::auth;

TEST_SUITE("auth bearer") {
  TEST_CASE("the token after a case-insensitive Bearer and one or more spaces") {
    CHECK(bearer_token("Bearer abc.def.ghi") == "abc.def.ghi");
    CHECK(bearer_token("bearer abc") == "abc");
    CHECK(bearer_token("BEARER abc") == "abc");
    CHECK(bearer_token("Bearer    abc") == "abc");
    CHECK(bearer_token("  Bearer abc \t") == "abc");
  }

  TEST_CASE("token68: URL-safe and standard base64 characters, '=' only at the end") {
    CHECK(bearer_token("Bearer aZ09-._~+/") == "aZ09-._~+/");
    CHECK(bearer_token("Bearer abc==") == "abc==");
    CHECK(bearer_token("Bearer a=b") == std::unexpected(Reason::malformed));
    CHECK(bearer_token("Bearer ===") == std::unexpected(Reason::malformed));
    CHECK(bearer_token("Bearer a b") == std::unexpected(Reason::malformed));
    CHECK(bearer_token("Bearer a,b") == std::unexpected(Reason::malformed));
    CHECK(bearer_token("Bearer a\"b") == std::unexpected(Reason::malformed));
    CHECK(bearer_token("Bearer caf\xc3\xa9") == std::unexpected(Reason::malformed));
  }

  TEST_CASE("no header or another scheme is missing_token") {
    CHECK(bearer_token("") == std::unexpected(Reason::missing_token));
    CHECK(bearer_token("   ") == std::unexpected(Reason::missing_token));
    CHECK(bearer_token("Basic dXNlcjpwYXNz") == std::unexpected(Reason::missing_token));
    CHECK(bearer_token("Bearerabc") == std::unexpected(Reason::missing_token));
    CHECK(bearer_token("Bearer\tabc") == std::unexpected(Reason::missing_token));
    CHECK(bearer_token("abc.def.ghi") == std::unexpected(Reason::missing_token));
  }

  TEST_CASE("Bearer without a token is malformed") {
    CHECK(bearer_token("Bearer") == std::unexpected(Reason::malformed));
    CHECK(bearer_token("Bearer   ") == std::unexpected(Reason::malformed));
  }
}
