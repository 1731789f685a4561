#include <doctest/doctest.h>

#include "server/auth/base64url.hpp"
#include "server/auth/jwks.hpp"
#include "tests/unit/server/auth/token_maker.hpp"

using namespace igw::server::auth;
namespace t = igw::server::auth::testing;
using t::Json;

namespace {

std::string error_of(const std::string& document) {
  auto set = parse_jwks(document);
  return set ? std::string{"(parsed)"} : set.error();
}

// One usable key beside the one under test, so "skipped" is not confused with "no usable key".
std::string with_good_key(const Json& jwk) {
  return t::jwks(Json::array({t::public_jwk(t::p256(), "good"), jwk}));
}

}  // namespace

TEST_SUITE("auth jwks") {
  TEST_CASE("RSA and EC keys are parsed once, with kid, alg and use kept") {
    auto set = parse_jwks(t::jwks(Json::array({
        t::public_jwk(t::rsa2048(), "r1", {{"alg", "RS256"}, {"use", "sig"}}),
        t::public_jwk(t::rsa3072(), "r2"),
        t::public_jwk(t::p256(), "e1", {{"alg", "ES256"}}),
        t::public_jwk(t::p384(), "e2"),
    })));
    REQUIRE(set);
    REQUIRE(set->keys.size() == 4);
    CHECK(set->skipped == 0);
    CHECK(set->keys[0].kid == "r1");
    CHECK(set->keys[0].type == KeyType::rsa);
    CHECK(set->keys[0].alg == "RS256");
    CHECK(set->keys[0].use == "sig");
    CHECK(set->keys[1].alg.empty());
    CHECK(set->keys[2].type == KeyType::ec_p256);
    CHECK(set->keys[3].type == KeyType::ec_p384);
    for (const auto& key : set->keys) CHECK(key.key != nullptr);
  }

  TEST_CASE("a key without kid is kept with an empty kid") {
    auto set = parse_jwks(t::jwks(Json::array({t::public_jwk(t::p256(), "")})));
    REQUIRE(set);
    CHECK(set->keys.at(0).kid.empty());
  }

  TEST_CASE("RSA moduli under 2048 bits are refused, naming the key") {
    auto weak = t::new_rsa_key(1024);
    auto error = error_of(with_good_key(t::public_jwk(weak, "old")));
    CHECK(error == "keys[1] (kid \"old\"): RSA modulus has 1024 bits; 2048 to 16384 are accepted");
  }

  TEST_CASE("RSA numbers that cannot make a sound key are refused") {
    auto jwk = t::public_jwk(t::rsa2048(), "k");
    auto with = [&](const char* member, const std::string& value) {
      auto copy = jwk;
      copy[member] = value;
      return error_of(with_good_key(copy));
    };
    CHECK(with("e", base64url_encode("\x01")).find("exponent") != std::string::npos);
    CHECK(with("e", base64url_encode("\x01\x00\x00")).find("exponent") != std::string::npos);
    std::string even = *base64url_decode(jwk["n"].get<std::string>());
    even.back() = static_cast<char>(even.back() & ~1);
    CHECK(with("n", base64url_encode(even)).find("even") != std::string::npos);
    std::string huge(16384 / 8 + 1, '\xff');
    CHECK(with("n", base64url_encode(huge)).find("16392 bits") != std::string::npos);
    CHECK(with("n", "not base64!").find("\"n\" is not base64url") != std::string::npos);
    CHECK(with("n", "").find("\"n\" is missing") != std::string::npos);
    auto no_e = jwk;
    no_e.erase("e");
    CHECK(error_of(with_good_key(no_e)).find("\"e\" is missing") != std::string::npos);
  }

  TEST_CASE("an EC point off the curve is refused") {
    for (const auto* key : {&t::p256(), &t::p384()}) {
      auto jwk = t::public_jwk(*key, "bent");
      std::string y = *base64url_decode(jwk["y"].get<std::string>());
      y.back() = static_cast<char>(y.back() ^ 1);
      jwk["y"] = base64url_encode(y);
      CHECK(error_of(with_good_key(jwk)) ==
            "keys[1] (kid \"bent\"): EC point is not on curve " + jwk["crv"].get<std::string>());
    }
  }

  TEST_CASE("EC coordinates must be full length and belong to the named curve") {
    auto jwk = t::public_jwk(t::p256(), "short");
    std::string x = *base64url_decode(jwk["x"].get<std::string>());
    jwk["x"] = base64url_encode(x.substr(1));
    CHECK(error_of(with_good_key(jwk)).find("32 bytes each") != std::string::npos);
    auto mislabelled = t::public_jwk(t::p384(), "p384-as-p256");
    mislabelled["crv"] = "P-256";
    CHECK(error_of(with_good_key(mislabelled)).find("32 bytes each") != std::string::npos);
  }

  TEST_CASE("keys for encryption, unknown kty and unknown curves are skipped") {
    auto set = parse_jwks(t::jwks(Json::array({
        t::public_jwk(t::rsa2048(), "enc", {{"use", "enc"}}),
        Json{{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}},
        Json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}},
        Json{{"kty", "EC"}, {"crv", "P-521"}, {"x", "AA"}, {"y", "AA"}},
        t::public_jwk(t::p256(), "wrap", {{"key_ops", {"wrapKey"}}}),
        t::public_jwk(t::p256(), "verify", {{"key_ops", {"verify"}}}),
        t::public_jwk(t::p384(), "sig", {{"use", "sig"}}),
    })));
    REQUIRE(set);
    CHECK(set->skipped == 5);
    REQUIRE(set->keys.size() == 2);
    CHECK(set->keys[0].kid == "verify");
    CHECK(set->keys[1].kid == "sig");
  }

  TEST_CASE("a set with no usable key is an error") {
    CHECK(error_of(R"({"keys":[]})") == "JWKS has no usable RSA or EC signing key (0 skipped)");
    CHECK(error_of(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})") ==
          "JWKS has no usable RSA or EC signing key (1 skipped)");
  }

  TEST_CASE("a malformed document is an error naming what was wrong") {
    CHECK(error_of("") == "JWKS is not valid JSON");
    CHECK(error_of("{\"keys\":[") == "JWKS is not valid JSON");
    CHECK(error_of("[]") == "JWKS is not a JSON object");
    CHECK(error_of("{}") == "JWKS has no \"keys\" array");
    CHECK(error_of(R"({"keys":{}})") == "JWKS has no \"keys\" array");
    CHECK(error_of(R"({"keys":[42]})") == "keys[0]: not a JSON object");
    CHECK(error_of(R"({"keys":[{"n":"AQAB"}]})") == "keys[0]: \"kty\" is missing");
    CHECK(error_of(R"({"keys":[{"kty":7}]})") == "keys[0]: \"kty\" is not a string");
    CHECK(error_of(with_good_key(t::public_jwk(t::p256(), "", {{"kid", 5}}))) ==
          "keys[1]: \"kid\" is not a string");
    CHECK(error_of(with_good_key(t::public_jwk(t::p256(), "k", {{"key_ops", "verify"}}))) ==
          "keys[1] (kid \"k\"): \"key_ops\" is not an array");
    CHECK(error_of(std::string(kMaxJwksBytes + 1, ' ')) == "JWKS is larger than 1 MiB");
  }

  TEST_CASE("deep nesting is refused without exhausting the stack") {
    std::string deep = "{\"keys\":" + std::string(200000, '[') + std::string(200000, ']') + "}";
    CHECK(parse_jwks(deep).error().starts_with("keys[0]"));
  }
}
