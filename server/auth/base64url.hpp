// base64url without padding (RFC 4648 section 5, as JWS uses it: RFC 7515 section 2).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace igw::server::auth {

// The decoded bytes, or nullopt for a character outside [A-Za-z0-9_-] (padding included), a length of
// 4n+1, or non-zero unused bits in the last character (so each byte string has exactly one encoding).
std::optional<std::string> base64url_decode(std::string_view text);

// The unpadded encoding of the bytes.
std::string base64url_encode(std::string_view bytes);

}  // namespace igw::server::auth
