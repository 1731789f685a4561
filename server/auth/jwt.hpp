// Verification of a JWT bearer token (RFC 7519, RFC 9068) against the issuer's key set: the one entry
// point the gateway's auth check calls. Pure: no I/O, no clock (the caller passes `now`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth/jwks.hpp"
#include "server/auth/reason.hpp"

namespace igw::server::auth {

// A token without kid is tried against at most this many keys that fit its alg, so a large key set
// cannot multiply the cost of a forged token.
inline constexpr std::size_t kMaxKeyTries = 4;

struct VerifyOptions {
  std::string issuer;                     // compared byte for byte with "iss"
  std::string audience;                   // the client id; "aud" must contain it
  std::int64_t now = 0;                   // unix seconds
  std::int64_t skew = 60;                 // seconds of clock skew allowed on exp, nbf, iat (< 0 means 0)
  std::vector<std::string> allowed_algs;  // the issuer's published algs; empty: any the verifier supports
};

// The claims the gateway uses once a token is accepted.
struct VerifiedClaims {
  std::string sub;        // "" when absent
  std::string client_id;  // "azp", else "client_id" (RFC 9068), else ""
  std::int64_t exp = 0;
};

// Checks, in order: structure and size, header, alg supported (before any key is looked at), alg
// published, key set non-empty, key by kid (or every fitting key when there is no kid, up to
// kMaxKeyTries), alg fits the key, signature, then iss, aud, exp, nbf and iat. The first failure is the
// Reason.
std::expected<VerifiedClaims, Reason> verify_token(std::string_view token, const KeySet& keys,
                                                   const VerifyOptions& options);

}  // namespace igw::server::auth
