#include <doctest/doctest.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "server/auth/algorithm.hpp"
#include "server/auth/base64url.hpp"
#include "tests/unit/server/auth/token_maker.hpp"

using namespace igw::server::auth;
namespace t = igw::server::auth::testing;

namespace {

// Splits a signed token into what the signature covers and the decoded signature.
std::pair<std::string, std::string> input_and_signature(const std::string& token) {
  auto dot = token.rfind('.');
  return {token.substr(0, dot), base64url_decode(token.substr(dot + 1)).value()};
}

std::pair<std::string, std::string> signed_pair(const t::Key& key, const char* alg, int pss_salt = 32) {
  return input_and_signature(t::sign(key, {{"alg", alg}}, {{"sub", "x"}}, pss_salt));
}

std::string raw_to_der(const std::string& raw) {
  std::size_t half = raw.size() / 2;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(bytes, static_cast<int>(half), nullptr),
                 BN_bin2bn(bytes + half, static_cast<int>(half), nullptr));
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

}  // namespace

TEST_SUITE("auth algorithm") {
  TEST_CASE("exactly six algorithm names are known, case-sensitively") {
    for (const char* name : {"RS256", "RS384", "RS512", "PS256", "ES256", "ES384"}) {
      auto alg = alg_from_name(name);
      REQUIRE(alg);
      CHECK(alg_name(*alg) == name);
    }
    for (const char* name : {"none", "None", "HS256", "HS384", "HS512", "rs256", "PS384", "PS512", "ES512",
                             "EdDSA", "ES256K", "RS256 ", ""})
      CHECK_FALSE(alg_from_name(name));
  }

  TEST_CASE("RSA keys fit RS* and PS*; an EC key fits only the ES* of its curve") {
    for (Alg alg : {Alg::RS256, Alg::RS384, Alg::RS512, Alg::PS256}) {
      CHECK(key_fits_alg(KeyType::rsa, alg));
      CHECK_FALSE(key_fits_alg(KeyType::ec_p256, alg));
      CHECK_FALSE(key_fits_alg(KeyType::ec_p384, alg));
    }
    CHECK(key_fits_alg(KeyType::ec_p256, Alg::ES256));
    CHECK(key_fits_alg(KeyType::ec_p384, Alg::ES384));
    CHECK_FALSE(key_fits_alg(KeyType::ec_p256, Alg::ES384));
    CHECK_FALSE(key_fits_alg(KeyType::ec_p384, Alg::ES256));
    CHECK_FALSE(key_fits_alg(KeyType::rsa, Alg::ES256));
  }

  TEST_CASE("ECDSA signatures have a fixed length; RSA ones do not") {
    CHECK(fixed_signature_length(Alg::ES256) == 64u);
    CHECK(fixed_signature_length(Alg::ES384) == 96u);
    CHECK_FALSE(fixed_signature_length(Alg::RS256));
    CHECK_FALSE(fixed_signature_length(Alg::PS256));
  }

  TEST_CASE("each algorithm verifies its own signature and refuses a changed input") {
    const std::pair<const char*, const t::Key*> cases[] = {
        {"RS256", &t::rsa2048()}, {"RS384", &t::rsa2048()}, {"RS512", &t::rsa3072()},
        {"PS256", &t::rsa2048()}, {"ES256", &t::p256()},    {"ES384", &t::p384()},
    };
    for (auto [name, key] : cases) {
      CAPTURE(name);
      Alg alg = *alg_from_name(name);
      auto [input, sig] = signed_pair(*key, name);
      CHECK(verify_signature(alg, key->get(), input, sig));
      CHECK_FALSE(verify_signature(alg, key->get(), input + "x", sig));
    }
  }

  TEST_CASE("RS256 is PKCS#1 v1.5: a PSS signature is refused, and the other way round") {
    auto [input, pss] = signed_pair(t::rsa2048(), "PS256");
    auto [input2, pkcs1] = signed_pair(t::rsa2048(), "RS256");
    CHECK_FALSE(verify_signature(Alg::RS256, t::rsa2048().get(), input, pss));
    CHECK_FALSE(verify_signature(Alg::PS256, t::rsa2048().get(), input2, pkcs1));
  }

  TEST_CASE("PS256 demands a 32-byte salt") {
    auto [input, sig] = signed_pair(t::rsa2048(), "PS256", 20);
    CHECK_FALSE(verify_signature(Alg::PS256, t::rsa2048().get(), input, sig));
    auto [input2, sig2] = signed_pair(t::rsa2048(), "PS256", 32);
    CHECK(verify_signature(Alg::PS256, t::rsa2048().get(), input2, sig2));
  }

  TEST_CASE("ECDSA takes JOSE's r||s, not DER, and checks its length") {
    auto [input, raw] = signed_pair(t::p256(), "ES256");
    CHECK_FALSE(verify_signature(Alg::ES256, t::p256().get(), input, raw_to_der(raw)));
    CHECK_FALSE(verify_signature(Alg::ES256, t::p256().get(), input, raw.substr(1)));
    CHECK_FALSE(verify_signature(Alg::ES256, t::p256().get(), input, raw + '\0'));
    CHECK_FALSE(verify_signature(Alg::ES256, t::p256().get(), input, std::string(64, '\0')));
  }

  TEST_CASE("a wrong key, no key or an empty signature is a refusal that leaves no OpenSSL error behind") {
    auto [input, sig] = signed_pair(t::rsa2048(), "RS256");
    CHECK_FALSE(verify_signature(Alg::RS256, t::rsa3072().get(), input, sig));
    CHECK(ERR_peek_error() == 0);
    CHECK_FALSE(verify_signature(Alg::RS256, nullptr, input, sig));
    CHECK_FALSE(verify_signature(Alg::RS256, t::rsa2048().get(), input, ""));
    CHECK_FALSE(verify_signature(Alg::ES256, t::rsa2048().get(), input, std::string(64, '\x01')));
    CHECK(ERR_peek_error() == 0);
  }
}
