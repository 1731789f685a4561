#include <doctest/doctest.h>

#include <random>

#include "server/auth/base64url.hpp"

using namespace igw::server::auth;

TEST_SUITE("auth base64url") {
  TEST_CASE("RFC 4648 test vectors, without padding") {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
    };
    for (auto [plain, encoded] : vectors) {
      CAPTURE(plain);
      CHECK(base64url_encode(plain) == encoded);
      CHECK(base64url_decode(encoded) == std::optional<std::string>{plain});
    }
  }

  TEST_CASE("the URL alphabet: '-' and '_' instead of '+' and '/'") {
    CHECK(base64url_encode("\xfb\xff") == "-_8");
    CHECK(base64url_decode("-_8") == std::optional<std::string>{"\xfb\xff"});
    CHECK_FALSE(base64url_decode("+/8"));
  }

  TEST_CASE("padding and characters outside the alphabet are refused") {
    CHECK_FALSE(base64url_decode("Zg=="));
    CHECK_FALSE(base64url_decode("Zm8="));
    CHECK_FALSE(base64url_decode("Zm 9v"));
    CHECK_FALSE(base64url_decode("Zm9v."));
    CHECK_FALSE(base64url_decode(std::string_view{"Zm\0v", 4}));
    CHECK_FALSE(base64url_decode("Zm9\xc3\xa9"));
  }

  TEST_CASE("a length of 4n+1 cannot be decoded") {
    CHECK_FALSE(base64url_decode("A"));
    CHECK_FALSE(base64url_decode("Zm9vY"));
  }

  TEST_CASE("non-zero unused bits are refused, so each byte string has one encoding") {
    CHECK(base64url_decode("Zg"));
    CHECK_FALSE(base64url_decode("Zh"));  // same byte, a stray low bit
    CHECK(base64url_decode("Zm8"));
    CHECK_FALSE(base64url_decode("Zm9"));
  }

  TEST_CASE("random bytes survive a round trip") {
    std::mt19937 rng{42};
    for (int length = 0; length < 100; ++length) {
      std::string bytes(static_cast<std::size_t>(length), '\0');
      for (auto& b : bytes) b = static_cast<char>(rng());
      auto encoded = base64url_encode(bytes);
      CHECK(encoded.find_first_of("+/=") == std::string::npos);
      CHECK(base64url_decode(encoded) == std::optional<std::string>{bytes});
    }
  }
}
