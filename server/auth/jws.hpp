// The compact JWS serialization (RFC 7515 section 7.1): header.payload.signature, each part base64url.
#pragma once

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "server/auth/reason.hpp"

namespace igw::server::auth {

// Longer tokens are malformed: bounds the work an unauthenticated client can ask for.
inline constexpr std::size_t kMaxTokenBytes = 8192;

struct CompactJws {
  std::string_view header;         // still base64url
  std::string_view payload;        // still base64url
  std::string_view signature;      // still base64url
  std::string_view signing_input;  // "header.payload", what the signature covers
};

// Exactly three parts separated by '.', header and payload non-empty (the signature may be empty, as in an
// unsecured JWS), at most kMaxTokenBytes in all; views into `token`.
std::expected<CompactJws, Reason> split_compact(std::string_view token);

struct JoseHeader {
  std::string alg;
  std::optional<std::string> kid;
};

// Decodes and parses the protected header: a JSON object with a string "alg" and, if present, a string
// "kid". A "crit" member is refused, since no extension is understood (RFC 7515 section 4.1.11). Key-carrying
// members (jwk, jku, x5u, x5c) are ignored: keys come from the issuer's JWKS only.
std::expected<JoseHeader, Reason> parse_header(std::string_view header_base64url);

}  // namespace igw::server::auth
