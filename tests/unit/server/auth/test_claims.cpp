#include <doctest/doctest.h>

#include <limits>

#include "server/auth/claims.hpp"

using namespace igw::server::auth;

namespace {

constexpr std::int64_t kNow = 1'700'000'000;

VerifyOptions options() {
  VerifyOptions o;
  o.issuer = "https://idp.example";
  o.audience = "igw";
  o.now = kNow;
  return o;
}

Claims valid() {
  Claims c;
  c.iss = "https://idp.example";
  c.aud = {"igw"};
  c.exp = kNow + 300;
  c.sub = "user-1";
  return c;
}

}  // namespace

TEST_SUITE("auth claims") {
  TEST_CASE("parsing: the registered claims, with aud as a string or an array") {
    auto c = parse_claims(R"({"iss":"i","aud":"a","exp":10,"nbf":5,"iat":4,"sub":"s","azp":"z",
                              "client_id":"c","scope":"x y"})");
    REQUIRE(c);
    CHECK(c->iss == "i");
    CHECK(c->aud == std::vector<std::string>{"a"});
    CHECK(c->exp == 10);
    CHECK(c->nbf == 5);
    CHECK(c->iat == 4);
    CHECK(c->sub == "s");
    CHECK(c->azp == "z");
    CHECK(c->client_id == "c");
    auto list = parse_claims(R"({"aud":["x","y"],"exp":10})");
    REQUIRE(list);
    CHECK(list->aud == std::vector<std::string>{"x", "y"});
    CHECK_FALSE(list->iss);
    CHECK_FALSE(list->nbf);
  }

  TEST_CASE("fractional NumericDates are rounded down") {
    auto c = parse_claims(R"({"exp":10.9,"nbf":4.5})");
    REQUIRE(c);
    CHECK(c->exp == 10);
    CHECK(c->nbf == 4);
  }

  TEST_CASE("exp is required, and numeric claims must be numbers in range") {
    for (const char* json :
         {R"({})", R"({"exp":"10"})", R"({"exp":true})", R"({"exp":null})", R"({"exp":[10]})",
          R"({"exp":10,"nbf":"5"})", R"({"exp":10,"iat":{}})", R"({"exp":1e300})", R"({"exp":-1e300})",
          R"({"exp":18446744073709551615})", R"({"exp":9007199254740993})"}) {
      CAPTURE(json);
      CHECK(parse_claims(json) == std::unexpected(Reason::malformed));
    }
    CHECK(parse_claims(R"({"exp":9007199254740992})"));
  }

  TEST_CASE("string claims must be strings, aud strings only") {
    for (const char* json : {R"({"exp":1,"iss":1})", R"({"exp":1,"sub":2})", R"({"exp":1,"azp":[]})",
                             R"({"exp":1,"client_id":false})", R"({"exp":1,"aud":3})",
                             R"({"exp":1,"aud":["a",3]})", R"({"exp":1,"aud":{"a":1}})"}) {
      CAPTURE(json);
      CHECK(parse_claims(json) == std::unexpected(Reason::malformed));
    }
  }

  TEST_CASE("a payload that is not a JSON object is malformed") {
    for (const char* json : {"", "[]", "\"exp\"", "12", "{\"exp\":1", "null"})
      CHECK(parse_claims(json) == std::unexpected(Reason::malformed));
  }

  TEST_CASE("valid claims give sub, the client (azp, else client_id) and exp") {
    auto c = valid();
    c.client_id = "cid";
    auto v = check_claims(c, options());
    REQUIRE(v);
    CHECK(v->sub == "user-1");
    CHECK(v->client_id == "cid");
    CHECK(v->exp == kNow + 300);
    c.azp = "azp";
    CHECK(check_claims(c, options())->client_id == "azp");
  }

  TEST_CASE("iss must be exactly the issuer") {
    for (const char* iss : {"https://idp.example/", "https://IDP.example", "https://evil.example", ""}) {
      auto c = valid();
      c.iss = iss;
      CHECK(check_claims(c, options()) == std::unexpected(Reason::wrong_issuer));
    }
    auto c = valid();
    c.iss.reset();
    CHECK(check_claims(c, options()) == std::unexpected(Reason::wrong_issuer));
  }

  TEST_CASE("aud must contain the audience") {
    auto c = valid();
    c.aud = {"other", "igw"};
    CHECK(check_claims(c, options()));
    c.aud = {"other"};
    CHECK(check_claims(c, options()) == std::unexpected(Reason::wrong_audience));
    c.aud = {"IGW", "igw "};
    CHECK(check_claims(c, options()) == std::unexpected(Reason::wrong_audience));
    c.aud.clear();
    CHECK(check_claims(c, options()) == std::unexpected(Reason::wrong_audience));
  }

  TEST_CASE("exp: accepted until exactly skew seconds after it") {
    auto c = valid();
    c.exp = kNow - 59;
    CHECK(check_claims(c, options()));
    c.exp = kNow - 60;
    CHECK(check_claims(c, options()) == std::unexpected(Reason::expired));
  }

  TEST_CASE("nbf: accepted from skew seconds before it") {
    auto c = valid();
    c.nbf = kNow + 60;
    CHECK(check_claims(c, options()));
    c.nbf = kNow + 61;
    CHECK(check_claims(c, options()) == std::unexpected(Reason::not_yet_valid));
  }

  TEST_CASE("iat: at most skew seconds in the future") {
    auto c = valid();
    c.iat = kNow + 60;
    CHECK(check_claims(c, options()));
    c.iat = kNow + 61;
    CHECK(check_claims(c, options()) == std::unexpected(Reason::issued_in_future));
    c.iat = kNow - 86400;
    CHECK(check_claims(c, options()));
  }

  TEST_CASE("the skew is configurable, a negative one counts as zero, a huge one does not overflow") {
    auto c = valid();
    c.exp = kNow;
    auto o = options();
    o.skew = 0;
    CHECK(check_claims(c, o) == std::unexpected(Reason::expired));
    o.skew = -100;
    CHECK(check_claims(c, o) == std::unexpected(Reason::expired));
    c.exp = kNow + 1;
    CHECK(check_claims(c, o));
    o.skew = std::numeric_limits<std::int64_t>::max();
    c.exp = -kMaxNumericDate;
    c.nbf = kMaxNumericDate;
    c.iat = kMaxNumericDate;
    CHECK(check_claims(c, o));
  }
}
