// JSON Web Key Sets (RFC 7517, RFC 7518 section 6): the issuer's public signing keys, each turned into an
// OpenSSL key once at parse time so that verification never rebuilds one.
#pragma once

#include <cstddef>
#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth/algorithm.hpp"

namespace igw::server::auth {

inline constexpr std::size_t kMaxJwksBytes = 1 << 20;
inline constexpr int kMinRsaModulusBits = 2048;
inline constexpr int kMaxRsaModulusBits = 16384;  // OpenSSL refuses to verify with larger moduli

struct Jwk {
  std::string kid;  // "" when the JWK has none
  KeyType type = KeyType::rsa;
  std::string alg;  // the JWK's own "alg" ("" when absent); when set, tokens must use exactly this alg
  std::string use;  // "" or "sig"; keys for other uses are skipped at parse time
  std::shared_ptr<evp_pkey_st> key;
};

// Immutable once parsed: threads may verify against one KeySet concurrently (hold it as
// shared_ptr<const KeySet> and swap the pointer on refetch).
struct KeySet {
  std::vector<Jwk> keys;
  std::size_t skipped = 0;  // keys left out: unknown kty or curve, use other than "sig", no "verify" op
};

// Parses a JWKS document. RSA keys need n and e (modulus of 2048 to 16384 bits, odd exponent >= 3); EC
// keys need crv P-256 or P-384 and full-length x and y naming a point on that curve. Keys with another
// kty (oct, OKP) or curve, a "use" other than "sig", or "key_ops" without "verify" are skipped. Any other
// defect is an error naming the key ("keys[2] (kid \"a\"): ..."), as is a set with no usable key.
std::expected<KeySet, std::string> parse_jwks(std::string_view document);

}  // namespace igw::server::auth
