// The token of an `Authorization: Bearer <token>` header value (RFC 6750 section 2.1).
#pragma once

#include <expected>
#include <string_view>

#include "server/auth/reason.hpp"

namespace igw::server::auth {

// The scheme is matched case-insensitively and followed by one or more spaces; the token must be token68
// (RFC 9110 section 11.2: [A-Za-z0-9-._~+/] then optional '='). Surrounding spaces and tabs are ignored.
// An empty value or another scheme is missing_token; "Bearer" with no token or a bad token is malformed.
// The result is a view into `header_value`.
std::expected<std::string_view, Reason> bearer_token(std::string_view header_value);

}  // namespace igw::server::auth
