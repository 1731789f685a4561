// ASCII case-insensitive text helpers for protocol tokens (header names, model ids, provider ids).
#pragma once

#include <string>
#include <string_view>

namespace igw::server {

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);

}  // namespace igw::server
