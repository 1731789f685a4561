#include "tests/unit/server/auth/token_maker.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdexcept>

#include "server/auth/base64url.hpp"

namespace igw::server::auth::testing {
namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string{"token_maker: "} + what);
}

std::string bn_param(const Key& key, const char* name, int pad_to = 0) {
  BIGNUM* bn = nullptr;
  require(EVP_PKEY_get_bn_param(key.get(), name, &bn) == 1, name);
  std::string out(pad_to > 0 ? static_cast<std::size_t>(pad_to) : static_cast<std::size_t>(BN_num_bytes(bn)),
                  '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return base64url_encode(out);
}

const EVP_MD* digest_for(std::string_view alg) {
  if (alg.ends_with("256")) return EVP_sha256();
  if (alg.ends_with("384")) return EVP_sha384();
  return EVP_sha512();
}

std::string der_to_raw(const std::string& der, int half) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  require(sig != nullptr, "d2i_ECDSA_SIG");
  std::string raw(static_cast<std::size_t>(half) * 2, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, half);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + half, half);
  ECDSA_SIG_free(sig);
  return raw;
}

std::string raw_signature(const Key& key, std::string_view alg, std::string_view input, int pss_salt) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  require(EVP_DigestSignInit(ctx, &pctx, digest_for(alg), nullptr, key.get()) == 1, "DigestSignInit");
  if (alg.starts_with("PS")) {
    require(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1 &&
                EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss_salt) == 1,
            "PSS parameters");
  }
  std::size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  require(EVP_DigestSign(ctx, nullptr, &len, data, input.size()) == 1, "DigestSign size");
  std::string sig(len, '\0');
  require(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, data, input.size()) == 1,
          "DigestSign");
  EVP_MD_CTX_free(ctx);
  sig.resize(len);
  if (alg == "ES256") return der_to_raw(sig, 32);
  if (alg == "ES384") return der_to_raw(sig, 48);
  return sig;
}

std::string signing_input(const Json& header, const Json& claims) {
  return base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
}

}  // namespace

Key new_rsa_key(int bits) {
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned int>(bits));
  require(key != nullptr, "EVP_RSA_gen");
  return Key{key, EVP_PKEY_free};
}

Key new_ec_key(const char* group) {
  EVP_PKEY* key = EVP_EC_gen(group);
  require(key != nullptr, "EVP_EC_gen");
  return Key{key, EVP_PKEY_free};
}

const Key& rsa2048() {
  static const Key key = new_rsa_key(2048);
  return key;
}
const Key& rsa3072() {
  static const Key key = new_rsa_key(3072);
  return key;
}
const Key& p256() {
  static const Key key = new_ec_key("prime256v1");
  return key;
}
const Key& p384() {
  static const Key key = new_ec_key("secp384r1");
  return key;
}

Json public_jwk(const Key& key, std::string_view kid, const Json& extra) {
  Json jwk;
  if (EVP_PKEY_is_a(key.get(), "RSA")) {
    jwk = {{"kty", "RSA"},
           {"n", bn_param(key, OSSL_PKEY_PARAM_RSA_N)},
           {"e", bn_param(key, OSSL_PKEY_PARAM_RSA_E)}};
  } else {
    int size = EVP_PKEY_get_bits(key.get()) == 256 ? 32 : 48;
    jwk = {{"kty", "EC"},
           {"crv", size == 32 ? "P-256" : "P-384"},
           {"x", bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, size)},
           {"y", bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, size)}};
  }
  if (!kid.empty()) jwk["kid"] = kid;
  jwk.update(extra);
  return jwk;
}

std::string jwks(const Json& keys) {
  return Json{{"keys", keys}}.dump();
}

std::string sign(const Key& key, const Json& header, const Json& claims, int pss_salt) {
  std::string input = signing_input(header, claims);
  std::string alg = header.at("alg").get<std::string>();
  return input + "." + base64url_encode(raw_signature(key, alg, input, pss_salt));
}

std::string sign_hs256(std::string_view secret, const Json& header, const Json& claims) {
  std::string input = signing_input(header, claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  require(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
               reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len) != nullptr,
          "HMAC");
  return input + "." + base64url_encode(std::string_view{reinterpret_cast<const char*>(mac), len});
}

std::string assemble(const Json& header, const Json& claims, std::string_view signature_b64) {
  return signing_input(header, claims) + "." + std::string{signature_b64};
}

std::string public_pem(const Key& key) {
  BIO* bio = BIO_new(BIO_s_mem());
  require(PEM_write_bio_PUBKEY(bio, key.get()) == 1, "PEM_write_bio_PUBKEY");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return pem;
}

}  // namespace igw::server::auth::testing
