#include <doctest/doctest.h>

#include "server/auth/base64url.hpp"
#include "server/auth/jws.hpp"

using namespace igw::server::auth;

namespace {

std::string header_of(std::string_view json) {
  return base64url_encode(json);
}

}  // namespace

TEST_SUITE("auth jws") {
  TEST_CASE("three parts, and the signing input is header.payload") {
    auto jws = split_compact("aaa.bbbb.cc");
    REQUIRE(jws);
    CHECK(jws->header == "aaa");
    CHECK(jws->payload == "bbbb");
    CHECK(jws->signature == "cc");
    CHECK(jws->signing_input == "aaa.bbbb");
  }

  TEST_CASE("an empty signature is split off (an unsecured JWS); the verifier refuses it") {
    auto jws = split_compact("aaa.bbbb.");
    REQUIRE(jws);
    CHECK(jws->signature.empty());
    CHECK(jws->signing_input == "aaa.bbbb");
  }

  TEST_CASE("any other number of parts, or an empty header or payload, is malformed") {
    for (const char* token : {"", "abc", "a.b", "a.b.c.d", "a.b.c.", ".b.c", "a..c", "..", "a.b..c"}) {
      CAPTURE(token);
      CHECK(split_compact(token) == std::unexpected(Reason::malformed));
    }
  }

  TEST_CASE("tokens up to 8 KiB are split; longer ones are malformed") {
    std::string at_limit = "a." + std::string(kMaxTokenBytes - 4, 'b') + ".c";
    REQUIRE(at_limit.size() == kMaxTokenBytes);
    CHECK(split_compact(at_limit));
    CHECK(split_compact(at_limit + "c") == std::unexpected(Reason::malformed));
    std::string huge_header = header_of("{\"alg\":\"RS256\",\"x\":\"" + std::string(100 * 1024, 'x') + "\"}");
    CHECK(split_compact(huge_header + ".e30.c2ln") == std::unexpected(Reason::malformed));
  }

  TEST_CASE("the header gives alg and the optional kid") {
    auto header = parse_header(header_of(R"({"alg":"RS256","kid":"k1","typ":"JWT"})"));
    REQUIRE(header);
    CHECK(header->alg == "RS256");
    CHECK(header->kid == "k1");
    auto no_kid = parse_header(header_of(R"({"alg":"ES256"})"));
    REQUIRE(no_kid);
    CHECK_FALSE(no_kid->kid);
  }

  TEST_CASE("a header that is not a JSON object with a string alg is malformed") {
    for (const char* json :
         {R"(["alg","RS256"])", R"("RS256")", "42", "null", R"({"alg":"RS256")", "", R"({"kid":"k1"})",
          R"({"alg":256})", R"({"alg":null})", R"({"alg":"RS256","kid":7})"}) {
      CAPTURE(json);
      CHECK(parse_header(header_of(json)) == std::unexpected(Reason::malformed));
    }
  }

  TEST_CASE("a header that is not base64url is malformed") {
    CHECK(parse_header("eyJhbGciOiJSUzI1NiJ9"));  // {"alg":"RS256"}
    CHECK(parse_header("eyJhbGciOiJSUzI1NiJ9==") == std::unexpected(Reason::malformed));
    CHECK(parse_header("eyJhbGciOiJSUzI1NiJ+") == std::unexpected(Reason::malformed));
    CHECK(parse_header("!!!!") == std::unexpected(Reason::malformed));
  }

  TEST_CASE("crit is refused: no header extension is understood") {
    CHECK(parse_header(header_of(R"({"alg":"RS256","crit":["b64"],"b64":false})")) ==
          std::unexpected(Reason::malformed));
  }

  TEST_CASE("deeply nested JSON is parsed or refused without exhausting the stack") {
    std::string nested = R"({"alg":"RS256","x":)" + std::string(5000, '[') + std::string(5000, ']') + "}";
    CHECK(parse_header(header_of(nested)));
    CHECK(parse_header(header_of(std::string(6000, '['))) == std::unexpected(Reason::malformed));
  }
}
