// Request ids: the caller's X-Request-Id when it is sane, else a fresh UUIDv4.
#pragma once

#include <string>
#include <string_view>

namespace igw::server {

inline constexpr std::size_t kMaxRequestIdLength = 128;

// Sane: 1 to 128 printable ASCII characters (no spaces or control bytes), so it is safe in a log line
// and a response header.
bool is_sane_request_id(std::string_view id);

// A random UUIDv4, lower-case hex ("3f2b...-4...-[89ab]...").
std::string new_request_id();

// The incoming id if sane, else a new one.
std::string choose_request_id(std::string_view incoming);

}  // namespace igw::server
