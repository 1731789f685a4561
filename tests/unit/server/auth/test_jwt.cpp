#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "server/auth/base64url.hpp"
#include "server/auth/jwt.hpp"
#include "tests/unit/server/auth/token_maker.hpp"

using namespace igw::server::auth;
namespace t = igw::server::auth::testing;
using t::Json;

namespace {

constexpr std::int64_t kNow = 1'700'000'000;
constexpr const char* kIssuer = "https://idp.example";
constexpr const char* kClient = "igw-client";

VerifyOptions options() {
  VerifyOptions o;
  o.issuer = kIssuer;
  o.audience = kClient;
  o.now = kNow;
  o.allowed_algs = {"RS256", "RS384", "RS512", "PS256", "ES256", "ES384"};
  return o;
}

Json claims() {
  return {{"iss", kIssuer}, {"aud", kClient},  {"exp", kNow + 600},
          {"iat", kNow},    {"sub", "user-1"}, {"azp", kClient}};
}

Json header(const char* alg, const char* kid = nullptr) {
  Json h{{"alg", alg}, {"typ", "JWT"}};
  if (kid) h["kid"] = kid;
  return h;
}

KeySet key_set(const Json& jwks) {
  auto set = parse_jwks(t::jwks(jwks));
  REQUIRE(set);
  return *set;
}

// kid "rsa" (2048), "rsa3072", "p256", "p384".
const KeySet& issuer_keys() {
  static const KeySet set = key_set(Json::array({
      t::public_jwk(t::rsa2048(), "rsa"),
      t::public_jwk(t::rsa3072(), "rsa3072"),
      t::public_jwk(t::p256(), "p256"),
      t::public_jwk(t::p384(), "p384"),
  }));
  return set;
}

std::expected<VerifiedClaims, Reason> verify(const std::string& token, const VerifyOptions& o = options()) {
  return verify_token(token, issuer_keys(), o);
}

Reason refusal(const std::string& token, const VerifyOptions& o = options()) {
  auto result = verify(token, o);
  REQUIRE_FALSE(result);
  return result.error();
}

// An RS256 token of claims() with some claims replaced.
std::string token_with(const Json& claim_changes) {
  Json c = claims();
  c.update(claim_changes);
  return t::sign(t::rsa2048(), header("RS256", "rsa"), c);
}

Reason refusal_with(const Json& claim_changes) {
  return refusal(token_with(claim_changes));
}

std::string with_signature(const std::string& token, std::string_view raw_signature) {
  return token.substr(0, token.rfind('.') + 1) + base64url_encode(raw_signature);
}

std::string signature_of(const std::string& token) {
  return *base64url_decode(std::string_view{token}.substr(token.rfind('.') + 1));
}

}  // namespace

TEST_SUITE("auth jwt") {
  TEST_CASE("each algorithm is accepted with the right key") {
    const std::tuple<const char*, const char*, const t::Key*> cases[] = {
        {"RS256", "rsa", &t::rsa2048()}, {"RS384", "rsa", &t::rsa2048()},
        {"RS512", "rsa", &t::rsa2048()}, {"RS256", "rsa3072", &t::rsa3072()},
        {"PS256", "rsa", &t::rsa2048()}, {"PS256", "rsa3072", &t::rsa3072()},
        {"ES256", "p256", &t::p256()},   {"ES384", "p384", &t::p384()},
    };
    for (auto [alg, kid, key] : cases) {
      CAPTURE(alg);
      CAPTURE(kid);
      auto result = verify(t::sign(*key, header(alg, kid), claims()));
      REQUIRE(result);
      CHECK(result->sub == "user-1");
      CHECK(result->client_id == kClient);
      CHECK(result->exp == kNow + 600);
    }
  }

  TEST_CASE("client_id stands in for azp; both may be absent") {
    Json c = claims();
    c.erase("azp");
    c["client_id"] = "cli";
    CHECK(verify(t::sign(t::p256(), header("ES256", "p256"), c))->client_id == "cli");
    c.erase("client_id");
    c.erase("sub");
    auto result = verify(t::sign(t::p256(), header("ES256", "p256"), c));
    REQUIRE(result);
    CHECK(result->client_id.empty());
    CHECK(result->sub.empty());
  }

  TEST_CASE("an empty token is missing_token; an empty key set is keys_unavailable") {
    CHECK(refusal("") == Reason::missing_token);
    auto token = t::sign(t::rsa2048(), header("RS256", "rsa"), claims());
    CHECK(verify_token(token, KeySet{}, options()) == std::unexpected(Reason::keys_unavailable));
  }

  TEST_CASE("time claims: expired, not yet valid, issued in the future, each with 60 s of skew") {
    CHECK(refusal_with({{"exp", kNow - 60}}) == Reason::expired);
    CHECK(verify(token_with({{"exp", kNow - 59}})));
    CHECK(refusal_with({{"nbf", kNow + 61}}) == Reason::not_yet_valid);
    CHECK(verify(token_with({{"nbf", kNow + 60}})));
    CHECK(refusal_with({{"iat", kNow + 61}}) == Reason::issued_in_future);
    CHECK(verify(token_with({{"iat", kNow + 60}})));
  }

  TEST_CASE("iss must be the issuer exactly") {
    CHECK(refusal_with({{"iss", "https://evil.example"}}) == Reason::wrong_issuer);
    CHECK(refusal_with({{"iss", "https://idp.example/"}}) == Reason::wrong_issuer);
    Json c = claims();
    c.erase("iss");
    CHECK(refusal(t::sign(t::rsa2048(), header("RS256", "rsa"), c)) == Reason::wrong_issuer);
  }

  TEST_CASE("aud: a string or an array, which must contain the client id") {
    auto accepted = [](const Json& aud) {
      Json c = claims();
      c["aud"] = aud;
      return bool(verify(t::sign(t::p256(), header("ES256", "p256"), c)));
    };
    CHECK(accepted(kClient));
    CHECK(accepted(Json::array({"other", kClient})));
    CHECK(refusal_with({{"aud", "other"}}) == Reason::wrong_audience);
    CHECK(refusal_with({{"aud", Json::array({"other", "another"})}}) == Reason::wrong_audience);
    CHECK(refusal_with({{"aud", Json::array()}}) == Reason::wrong_audience);
    Json c = claims();
    c.erase("aud");
    CHECK(refusal(t::sign(t::rsa2048(), header("RS256", "rsa"), c)) == Reason::wrong_audience);
  }

  TEST_CASE("numeric claims must be numbers, and exp is required") {
    CHECK(refusal_with({{"exp", std::to_string(kNow + 600)}}) == Reason::malformed);
    CHECK(refusal_with({{"nbf", "0"}}) == Reason::malformed);
    CHECK(refusal_with({{"iat", true}}) == Reason::malformed);
    Json c = claims();
    c.erase("exp");
    CHECK(refusal(t::sign(t::rsa2048(), header("RS256", "rsa"), c)) == Reason::malformed);
  }

  TEST_CASE("a signature by another key with the same kid is bad_signature") {
    auto impostor = t::new_rsa_key(2048);
    CHECK(refusal(t::sign(impostor, header("RS256", "rsa"), claims())) == Reason::bad_signature);
    auto impostor_ec = t::new_ec_key("prime256v1");
    CHECK(refusal(t::sign(impostor_ec, header("ES256", "p256"), claims())) == Reason::bad_signature);
  }

  TEST_CASE("a changed payload or header breaks the signature") {
    auto token = t::sign(t::rsa2048(), header("RS256", "rsa"), claims());
    Json forged = claims();
    forged["sub"] = "admin";
    auto dot1 = token.find('.'), dot2 = token.rfind('.');
    auto swapped = token.substr(0, dot1 + 1) + base64url_encode(forged.dump()) + token.substr(dot2);
    CHECK(refusal(swapped) == Reason::bad_signature);
    Json h = header("RS256", "rsa");
    h["typ"] = "at+jwt";
    CHECK(refusal(base64url_encode(h.dump()) + token.substr(dot1)) == Reason::bad_signature);
  }

  TEST_CASE("a key embedded in the header is never trusted") {
    auto attacker = t::new_ec_key("prime256v1");
    Json h = header("ES256", "p256");
    h["jwk"] = t::public_jwk(attacker, "p256");
    h["jku"] = "https://evil.example/jwks";
    CHECK(refusal(t::sign(attacker, h, claims())) == Reason::bad_signature);
    h.erase("kid");
    CHECK(refusal(t::sign(attacker, h, claims())) == Reason::bad_signature);
  }

  TEST_CASE("alg none is unsupported, with or without a signature") {
    CHECK(refusal(t::assemble(header("none", "rsa"), claims(), "AAAA")) == Reason::unsupported_alg);
    CHECK(refusal(t::assemble(header("None"), claims(), "AAAA")) == Reason::unsupported_alg);
    CHECK(refusal(t::assemble(header("none"), claims(), "")) == Reason::unsupported_alg);
    // A supported alg with an empty signature verifies nothing.
    CHECK(refusal(t::assemble(header("RS256", "rsa"), claims(), "")) == Reason::bad_signature);
    CHECK(refusal(t::assemble(header("ES256", "p256"), claims(), "")) == Reason::malformed);  // wrong fixed length
  }

  TEST_CASE("HS256 keyed with the issuer's public key is unsupported, even if the issuer publishes HS256") {
    auto o = options();
    o.allowed_algs.push_back("HS256");
    auto pem = t::public_pem(t::rsa2048());
    CHECK(refusal(t::sign_hs256(pem, header("HS256", "rsa"), claims()), o) == Reason::unsupported_alg);
    auto n = *base64url_decode(t::public_jwk(t::rsa2048(), "rsa")["n"].get<std::string>());
    CHECK(refusal(t::sign_hs256(n, header("HS256"), claims()), o) == Reason::unsupported_alg);
    CHECK(refusal(t::sign_hs256(pem, header("HS512", "rsa"), claims()), o) == Reason::unsupported_alg);
  }

  TEST_CASE("an unsupported alg is refused before any key lookup") {
    auto token = t::sign_hs256("secret", header("HS256", "no-such-kid"), claims());
    CHECK(refusal(token) == Reason::unsupported_alg);
    CHECK(verify_token(token, KeySet{}, options()) == std::unexpected(Reason::unsupported_alg));
    CHECK(refusal(t::assemble(header("EdDSA", "p256"), claims(), "AAAA")) == Reason::unsupported_alg);
  }

  TEST_CASE("alg must fit the key: RS256 on an EC key, ES256 on a P-384 key") {
    CHECK(refusal(t::sign(t::rsa2048(), header("RS256", "p256"), claims())) == Reason::alg_mismatch);
    CHECK(refusal(t::sign(t::p256(), header("ES256", "p384"), claims())) == Reason::alg_mismatch);
    CHECK(refusal(t::sign(t::p384(), header("ES384", "p256"), claims())) == Reason::alg_mismatch);
    CHECK(refusal(t::sign(t::p256(), header("ES256", "rsa"), claims())) == Reason::alg_mismatch);
  }

  TEST_CASE("alg must be one the issuer publishes, when it publishes any") {
    auto o = options();
    o.allowed_algs = {"RS256"};
    CHECK(refusal(t::sign(t::p256(), header("ES256", "p256"), claims()), o) == Reason::alg_mismatch);
    CHECK(refusal(t::sign(t::rsa2048(), header("PS256", "rsa"), claims()), o) == Reason::alg_mismatch);
    CHECK(verify(t::sign(t::rsa2048(), header("RS256", "rsa"), claims()), o));
    o.allowed_algs.clear();
    CHECK(verify(t::sign(t::p256(), header("ES256", "p256"), claims()), o));
  }

  TEST_CASE("a JWK with its own alg accepts only that alg") {
    auto keys = key_set(Json::array({t::public_jwk(t::rsa2048(), "pinned", {{"alg", "RS256"}})}));
    auto token = [](const char* alg) { return t::sign(t::rsa2048(), header(alg, "pinned"), claims()); };
    CHECK(verify_token(token("RS256"), keys, options()));
    CHECK(verify_token(token("PS256"), keys, options()) == std::unexpected(Reason::alg_mismatch));
    CHECK(verify_token(token("RS512"), keys, options()) == std::unexpected(Reason::alg_mismatch));
  }

  TEST_CASE("a kid not in the set is unknown_kid") {
    CHECK(refusal(t::sign(t::rsa2048(), header("RS256", "rotated"), claims())) == Reason::unknown_kid);
    CHECK(refusal(t::sign(t::rsa2048(), header("RS256", ""), claims())) == Reason::unknown_kid);
  }

  TEST_CASE("one kid on keys of different types: the key that fits the alg is used") {
    auto keys = key_set(Json::array({t::public_jwk(t::p256(), "dup"), t::public_jwk(t::rsa2048(), "dup")}));
    CHECK(verify_token(t::sign(t::rsa2048(), header("RS256", "dup"), claims()), keys, options()));
    CHECK(verify_token(t::sign(t::p256(), header("ES256", "dup"), claims()), keys, options()));
    CHECK(verify_token(t::sign(t::p384(), header("ES384", "dup"), claims()), keys, options()) ==
          std::unexpected(Reason::alg_mismatch));
  }

  TEST_CASE("without kid, the keys that fit the alg are tried") {
    auto one = key_set(Json::array({t::public_jwk(t::p256(), "a"), t::public_jwk(t::rsa2048(), "b")}));
    CHECK(verify_token(t::sign(t::rsa2048(), header("RS256"), claims()), one, options()));
    auto second = t::new_rsa_key(2048);
    auto two = key_set(Json::array({t::public_jwk(t::rsa2048(), "a"), t::public_jwk(second, "b")}));
    CHECK(verify_token(t::sign(second, header("RS256"), claims()), two, options()));
    CHECK(verify_token(t::sign(t::rsa2048(), header("PS256"), claims()), two, options()));
    CHECK(verify_token(t::sign(t::rsa3072(), header("RS256"), claims()), two, options()) ==
          std::unexpected(Reason::bad_signature));
    CHECK(verify_token(t::sign(t::p384(), header("ES384"), claims()), two, options()) ==
          std::unexpected(Reason::alg_mismatch));
  }

  TEST_CASE("without kid, at most kMaxKeyTries keys are tried") {
    Json jwks = Json::array();
    std::vector<t::Key> keys;
    for (std::size_t i = 0; i <= kMaxKeyTries; ++i) {
      keys.push_back(t::new_ec_key("prime256v1"));
      jwks.push_back(t::public_jwk(keys.back(), ""));
    }
    auto set = key_set(jwks);
    CHECK(verify_token(t::sign(keys[kMaxKeyTries - 1], header("ES256"), claims()), set, options()));
    CHECK(verify_token(t::sign(keys[kMaxKeyTries], header("ES256"), claims()), set, options()) ==
          std::unexpected(Reason::bad_signature));
  }

  TEST_CASE("truncated tokens, garbage and empty parts are malformed") {
    auto token = t::sign(t::rsa2048(), header("RS256", "rsa"), claims());
    CHECK(refusal(token.substr(0, token.rfind('.'))) == Reason::malformed);
    CHECK(refusal(token.substr(0, token.rfind('.') + 1)) == Reason::bad_signature);  // the signature cut off
    CHECK(refusal(token.substr(0, token.find('.') + 5)) == Reason::malformed);  // cut inside the payload
    // 342 characters for 256 bytes: dropping the last 2 leaves whole groups, a signature one byte short.
    CHECK(refusal(token.substr(0, token.size() - 2)) == Reason::bad_signature);
    CHECK(refusal(token.substr(0, token.size() - 1)) == Reason::malformed);
    for (const char* garbage :
         {"garbage", "a.b.c", "...", "Bearer x.y.z", "\xff\xfe.\x00.\x01", "e30.e30.e30"}) {
      CAPTURE(garbage);
      CHECK(refusal(garbage) == Reason::malformed);
    }
    auto dot1 = token.find('.'), dot2 = token.rfind('.');
    CHECK(refusal(token.substr(dot1)) == Reason::malformed);
    CHECK(refusal(token.substr(0, dot1 + 1) + token.substr(dot2)) == Reason::malformed);
  }

  TEST_CASE("bad base64url in any part is malformed") {
    auto token = t::sign(t::rsa2048(), header("RS256", "rsa"), claims());
    auto dot1 = token.find('.'), dot2 = token.rfind('.');
    CHECK(refusal("+" + token.substr(1)) == Reason::malformed);
    CHECK(refusal(token.substr(0, dot1 + 1) + "*" + token.substr(dot1 + 2)) == Reason::malformed);
    CHECK(refusal(token.substr(0, dot2 + 1) + "/" + token.substr(dot2 + 2)) == Reason::malformed);
    CHECK(refusal(token + "=") == Reason::malformed);
  }

  TEST_CASE("a 100 KB header is malformed, however well signed") {
    Json h = header("RS256", "rsa");
    h["pad"] = std::string(100 * 1024, 'x');
    CHECK(refusal(t::sign(t::rsa2048(), h, claims())) == Reason::malformed);
  }

  TEST_CASE("header and payload must be JSON objects") {
    CHECK(refusal(base64url_encode("[\"RS256\"]") + ".e30.AAAA") == Reason::malformed);
    CHECK(refusal(base64url_encode("{\"alg\":\"RS256\"") + ".e30.AAAA") == Reason::malformed);
    CHECK(refusal(t::sign(t::rsa2048(), header("RS256", "rsa"), Json::array({"iss", kIssuer}))) ==
          Reason::malformed);
    CHECK(refusal(t::sign(t::rsa2048(), header("RS256", "rsa"), "claims")) == Reason::malformed);
  }

  TEST_CASE("an ES256 signature of the wrong length is malformed") {
    auto token = t::sign(t::p256(), header("ES256", "p256"), claims());
    auto raw = signature_of(token);
    REQUIRE(raw.size() == 64);
    CHECK(refusal(with_signature(token, raw.substr(0, 63))) == Reason::malformed);
    CHECK(refusal(with_signature(token, raw + '\0')) == Reason::malformed);
    CHECK(refusal(with_signature(token, std::string(72, '\x30'))) == Reason::malformed);  // DER-sized
    CHECK(refusal(with_signature(token, std::string(64, '\0'))) == Reason::bad_signature);
  }

  TEST_CASE("one key set serves concurrent verifications") {
    const auto tokens = std::vector<std::string>{
        t::sign(t::rsa2048(), header("RS256", "rsa"), claims()),
        t::sign(t::rsa2048(), header("PS256"), claims()),
        t::sign(t::p256(), header("ES256", "p256"), claims()),
        t::sign(t::p384(), header("ES384", "p384"), claims()),
    };
    std::atomic<int> accepted{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
      threads.emplace_back([&] {
        for (int round = 0; round < 25; ++round)
          for (const auto& token : tokens)
            if (verify_token(token, issuer_keys(), options())) ++accepted;
      });
    for (auto& thread : threads) thread.join();
    CHECK(accepted == 4 * 25 * 4);
  }
}
