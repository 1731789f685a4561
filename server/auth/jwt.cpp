#include "server/auth/jwt.hpp"

#include <algorithm>

#include "server/auth/base64url.hpp"
#include "server/auth/claims.hpp"
#include "server/auth/jws.hpp"

namespace igw::server::auth {
namespace {

bool published(const std::vector<std::string>& allowed, std::string_view alg) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), alg) != allowed.end();
}

// A key may verify the token when its kty/curve fits the alg and its own "alg", if any, is that alg: the
// check that stops an RSA public key from being used as an HMAC secret or a P-384 key for ES256.
bool key_allows(const Jwk& jwk, Alg alg) {
  return key_fits_alg(jwk.type, alg) && (jwk.alg.empty() || jwk.alg == alg_name(alg));
}

std::expected<void, Reason> verify_with_keys(const CompactJws& jws, const JoseHeader& header, Alg alg,
                                             std::string_view signature, const KeySet& keys) {
  bool kid_seen = false;
  std::size_t tried = 0;
  for (const Jwk& jwk : keys.keys) {
    if (header.kid && jwk.kid != *header.kid) continue;
    kid_seen = true;
    if (!key_allows(jwk, alg)) continue;
    if (tried == kMaxKeyTries) break;
    ++tried;
    if (verify_signature(alg, jwk.key.get(), jws.signing_input, signature)) return {};
  }
  if (header.kid && !kid_seen) return std::unexpected(Reason::unknown_kid);
  if (tried == 0) return std::unexpected(Reason::alg_mismatch);
  return std::unexpected(Reason::bad_signature);
}

}  // namespace

std::expected<VerifiedClaims, Reason> verify_token(std::string_view token, const KeySet& keys,
                                                   const VerifyOptions& options) {
  if (token.empty()) return std::unexpected(Reason::missing_token);
  auto jws = split_compact(token);
  if (!jws) return std::unexpected(jws.error());
  auto header = parse_header(jws->header);
  if (!header) return std::unexpected(header.error());
  auto alg = alg_from_name(header->alg);
  if (!alg) return std::unexpected(Reason::unsupported_alg);
  if (!published(options.allowed_algs, header->alg)) return std::unexpected(Reason::alg_mismatch);
  auto signature = base64url_decode(jws->signature);
  auto payload = base64url_decode(jws->payload);
  if (!signature || !payload) return std::unexpected(Reason::malformed);
  auto fixed = fixed_signature_length(*alg);
  if (fixed && signature->size() != *fixed) return std::unexpected(Reason::malformed);
  if (keys.keys.empty()) return std::unexpected(Reason::keys_unavailable);
  if (auto verified = verify_with_keys(*jws, *header, *alg, *signature, keys); !verified)
    return std::unexpected(verified.error());
  // Claims are read only once the signature holds: nothing unauthenticated beyond the header is parsed.
  auto claims = parse_claims(*payload);
  if (!claims) return std::unexpected(claims.error());
  return check_claims(*claims, options);
}

}  // namespace igw::server::auth
