#include "server/auth/algorithm.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <array>
#include <memory>
#include <string>

namespace igw::server::auth {
namespace {

struct AlgInfo {
  Alg alg;
  std::string_view name;
};

constexpr std::array<AlgInfo, 6> kAlgs{{
    {Alg::RS256, "RS256"},
    {Alg::RS384, "RS384"},
    {Alg::RS512, "RS512"},
    {Alg::PS256, "PS256"},
    {Alg::ES256, "ES256"},
    {Alg::ES384, "ES384"},
}};

const EVP_MD* digest_of(Alg alg) {
  switch (alg) {
    case Alg::RS256:
    case Alg::PS256:
    case Alg::ES256:
      return EVP_sha256();
    case Alg::RS384:
    case Alg::ES384:
      return EVP_sha384();
    case Alg::RS512:
      return EVP_sha512();
  }
  return nullptr;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};

// JOSE carries ECDSA signatures as r||s, each zero-padded to the curve size (RFC 7518 section 3.4);
// OpenSSL verifies the DER SEQUENCE of two INTEGERs. Empty on failure.
std::string raw_ecdsa_to_der(std::string_view raw) {
  const std::size_t half = raw.size() / 2;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig{ECDSA_SIG_new()};
  BIGNUM* r = BN_bin2bn(bytes, static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(bytes + half, static_cast<int>(half), nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return {};
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) return {};
  return der;
}

// Fixes the padding for RSA algorithms; PS256 is PSS with MGF1-SHA-256 and a 32-byte salt (RFC 7518
// section 3.5), and the salt length is enforced rather than recovered from the signature.
bool set_padding(Alg alg, EVP_PKEY_CTX* pctx) {
  switch (alg) {
    case Alg::RS256:
    case Alg::RS384:
    case Alg::RS512:
      return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
    case Alg::PS256:
      return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) > 0 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) > 0;
    case Alg::ES256:
    case Alg::ES384:
      return true;
  }
  return false;
}

}  // namespace

std::optional<Alg> alg_from_name(std::string_view name) {
  for (const auto& info : kAlgs)
    if (info.name == name) return info.alg;
  return std::nullopt;
}

std::string_view alg_name(Alg alg) {
  for (const auto& info : kAlgs)
    if (info.alg == alg) return info.name;
  return "";
}

bool key_fits_alg(KeyType type, Alg alg) {
  switch (type) {
    case KeyType::rsa:
      return alg != Alg::ES256 && alg != Alg::ES384;
    case KeyType::ec_p256:
      return alg == Alg::ES256;
    case KeyType::ec_p384:
      return alg == Alg::ES384;
  }
  return false;
}

std::optional<std::size_t> fixed_signature_length(Alg alg) {
  if (alg == Alg::ES256) return 64;
  if (alg == Alg::ES384) return 96;
  return std::nullopt;
}

bool verify_signature(Alg alg, evp_pkey_st* key, std::string_view signing_input, std::string_view signature) {
  if (key == nullptr || signature.empty()) return false;
  std::string der;
  if (auto fixed = fixed_signature_length(alg)) {
    if (signature.size() != *fixed) return false;
    der = raw_ecdsa_to_der(signature);
    if (der.empty()) {
      ERR_clear_error();
      return false;
    }
    signature = der;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx{EVP_MD_CTX_new()};
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), &pctx, digest_of(alg), nullptr, key) == 1 &&
            set_padding(alg, pctx) &&
            EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(signing_input.data()),
                             signing_input.size()) == 1;
  // A refused signature leaves entries in this thread's OpenSSL error queue; a later TLS call on the same
  // loop would read them as its own failure.
  if (!ok) ERR_clear_error();
  return ok;
}

}  // namespace igw::server::auth
