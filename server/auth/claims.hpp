// The JWT claims set (RFC 7519 section 4.1): parsed with strict types, then checked against the options.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth/jwt.hpp"
#include "server/auth/reason.hpp"

namespace igw::server::auth {

// NumericDate claims outside +-2^53 (where doubles stop being exact) are malformed.
inline constexpr std::int64_t kMaxNumericDate = std::int64_t{1} << 53;

struct Claims {
  std::optional<std::string> iss;
  std::vector<std::string> aud;  // a string "aud" becomes a list of one
  std::int64_t exp = 0;
  std::optional<std::int64_t> nbf;
  std::optional<std::int64_t> iat;
  std::string sub, azp, client_id;  // "" when absent
};

// `json` is the decoded payload. It must be an object with a numeric exp; iss, sub, azp and client_id
// must be strings when present, aud a string or an array of strings, nbf and iat numbers. Fractional
// NumericDates are rounded down. Any violation is malformed.
std::expected<Claims, Reason> parse_claims(std::string_view json);

// wrong_issuer, wrong_audience, expired (now >= exp + skew), not_yet_valid (now < nbf - skew),
// issued_in_future (iat > now + skew), in that order; else the claims the gateway keeps.
std::expected<VerifiedClaims, Reason> check_claims(const Claims& claims, const VerifyOptions& options);

}  // namespace igw::server::auth
