#include "server/auth/jwks.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "server/auth/base64url.hpp"

namespace igw::server::auth {
namespace {

using Json = nlohmann::json;
using Error = std::unexpected<std::string>;
using PkeyResult = std::expected<std::shared_ptr<EVP_PKEY>, std::string>;

struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

// A string member: "" when absent, an error when present with another type.
std::expected<std::string, std::string> string_member(const Json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end()) return std::string{};
  if (!it->is_string()) return Error{std::string{"\""} + name + "\" is not a string"};
  return it->get<std::string>();
}

// A required base64url member, decoded; empty values are refused (no key has an empty coordinate).
std::expected<std::string, std::string> bytes_member(const Json& jwk, const char* name) {
  auto text = string_member(jwk, name);
  if (!text) return Error{text.error()};
  if (text->empty()) return Error{std::string{"\""} + name + "\" is missing or empty"};
  auto bytes = base64url_decode(*text);
  if (!bytes) return Error{std::string{"\""} + name + "\" is not base64url"};
  return *bytes;
}

Bn to_bn(const std::string& bytes) {
  return Bn{BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()),
                      nullptr)};
}

// EVP_PKEY_fromdata with a public-key selection; the OpenSSL 3 replacement of RSA_set0_key & co.
PkeyResult key_from_params(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params{OSSL_PARAM_BLD_to_param(bld)};
  PkeyCtx ctx{EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr)};
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return Error{"OpenSSL refused the key parameters"};
  return std::shared_ptr<EVP_PKEY>{raw, EVP_PKEY_free};
}

// RSA exponents must be odd and at least 3: e = 1 would make every message its own signature.
std::optional<std::string> check_rsa_numbers(const BIGNUM* n, const BIGNUM* e) {
  int bits = BN_num_bits(n);
  if (bits < kMinRsaModulusBits || bits > kMaxRsaModulusBits)
    return "RSA modulus has " + std::to_string(bits) + " bits; " + std::to_string(kMinRsaModulusBits) +
           " to " + std::to_string(kMaxRsaModulusBits) + " are accepted";
  if (!BN_is_odd(n)) return std::string{"RSA modulus is even"};
  if (!BN_is_odd(e) || BN_num_bits(e) < 2) return std::string{"RSA exponent is not an odd number >= 3"};
  return std::nullopt;
}

PkeyResult rsa_key(const Json& jwk) {
  auto n_bytes = bytes_member(jwk, "n");
  if (!n_bytes) return Error{n_bytes.error()};
  auto e_bytes = bytes_member(jwk, "e");
  if (!e_bytes) return Error{e_bytes.error()};
  Bn n = to_bn(*n_bytes), e = to_bn(*e_bytes);
  if (!n || !e) return Error{"OpenSSL could not hold the RSA numbers"};
  if (auto defect = check_rsa_numbers(n.get(), e.get())) return Error{*defect};
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld{OSSL_PARAM_BLD_new()};
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
    return Error{"OpenSSL could not hold the RSA numbers"};
  return key_from_params("RSA", bld.get());
}

struct Curve {
  KeyType type;
  const char* crv;         // JOSE's name
  const char* group;       // OpenSSL's name
  std::size_t coordinate;  // bytes in x and in y (RFC 7518 section 6.2.1.2: always full length)
};

std::optional<Curve> curve_named(std::string_view crv) {
  if (crv == "P-256") return Curve{KeyType::ec_p256, "P-256", "prime256v1", 32};
  if (crv == "P-384") return Curve{KeyType::ec_p384, "P-384", "secp384r1", 48};
  return std::nullopt;
}

PkeyResult ec_key(const Json& jwk, const Curve& curve) {
  auto x = bytes_member(jwk, "x");
  if (!x) return Error{x.error()};
  auto y = bytes_member(jwk, "y");
  if (!y) return Error{y.error()};
  if (x->size() != curve.coordinate || y->size() != curve.coordinate)
    return Error{"EC coordinates must be " + std::to_string(curve.coordinate) + " bytes each"};
  std::string point = "\x04" + *x + *y;  // SEC 1 uncompressed form
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld{OSSL_PARAM_BLD_new()};
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
    return Error{"OpenSSL could not hold the EC point"};
  // OpenSSL refuses a point off the curve here (EC_POINT_oct2point checks it); on P-256 and P-384 (cofactor
  // 1) every point on the curve is a valid public key, so no further check is needed against invalid-curve
  // attacks.
  auto key = key_from_params("EC", bld.get());
  if (!key) return Error{std::string{"EC point is not on curve "} + curve.crv};
  return key;
}

// Whether the JWK declares itself for something other than verifying signatures (RFC 7517 4.2, 4.3).
std::expected<bool, std::string> not_for_verifying(const Json& jwk, const std::string& use) {
  if (!use.empty() && use != "sig") return true;
  auto ops = jwk.find("key_ops");
  if (ops == jwk.end()) return false;
  if (!ops->is_array()) return Error{"\"key_ops\" is not an array"};
  for (const auto& op : *ops)
    if (op.is_string() && op.get_ref<const std::string&>() == "verify") return false;
  return true;
}

// One entry of "keys": a Jwk, nullopt when skipped, or what is wrong with it.
std::expected<std::optional<Jwk>, std::string> parse_key(const Json& entry) {
  if (!entry.is_object()) return Error{"not a JSON object"};
  auto kty = string_member(entry, "kty");
  if (!kty) return Error{kty.error()};
  if (kty->empty()) return Error{"\"kty\" is missing"};
  auto crv = string_member(entry, "crv");
  if (!crv) return Error{crv.error()};
  Jwk jwk;
  auto kid = string_member(entry, "kid");
  auto alg = string_member(entry, "alg");
  auto use = string_member(entry, "use");
  if (!kid || !alg || !use) return Error{!kid ? kid.error() : !alg ? alg.error() : use.error()};
  jwk.kid = *kid;
  jwk.alg = *alg;
  jwk.use = *use;
  auto skip = not_for_verifying(entry, jwk.use);
  if (!skip) return Error{skip.error()};
  std::optional<Curve> curve = *kty == "EC" ? curve_named(*crv) : std::nullopt;
  if (*skip || (*kty != "RSA" && !curve)) return std::optional<Jwk>{};
  PkeyResult key = curve ? ec_key(entry, *curve) : rsa_key(entry);
  if (!key) return Error{key.error()};
  jwk.type = curve ? curve->type : KeyType::rsa;
  jwk.key = std::move(*key);
  return jwk;
}

std::string key_label(const Json& entry, std::size_t index) {
  std::string label = "keys[" + std::to_string(index) + "]";
  if (!entry.is_object()) return label;
  auto kid = entry.find("kid");
  if (kid != entry.end() && kid->is_string()) label += " (kid \"" + kid->get<std::string>() + "\")";
  return label;
}

}  // namespace

std::expected<KeySet, std::string> parse_jwks(std::string_view document) {
  if (document.size() > kMaxJwksBytes) return Error{"JWKS is larger than 1 MiB"};
  Json doc = Json::parse(document.begin(), document.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error{"JWKS is not valid JSON"};
  if (!doc.is_object()) return Error{"JWKS is not a JSON object"};
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) return Error{"JWKS has no \"keys\" array"};
  KeySet set;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const Json& entry = (*keys)[i];
    auto jwk = parse_key(entry);
    ERR_clear_error();  // a refused key leaves OpenSSL errors in this thread's queue
    if (!jwk) return Error{key_label(entry, i) + ": " + jwk.error()};
    if (!*jwk) {
      ++set.skipped;
      continue;
    }
    set.keys.push_back(std::move(**jwk));
  }
  if (set.keys.empty())
    return Error{"JWKS has no usable RSA or EC signing key (" + std::to_string(set.skipped) + " skipped)"};
  return set;
}

}  // namespace igw::server::auth
