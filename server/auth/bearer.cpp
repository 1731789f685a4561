#include "server/auth/bearer.hpp"

#include <algorithm>
#include <cctype>

namespace igw::server::auth {
namespace {

std::string_view trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

bool is_token68(std::string_view s) {
  std::size_t end = s.find_last_not_of('=');
  if (end == std::string_view::npos) return false;  // empty, or only '='
  return std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(end) + 1, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~' ||
           c == '+' || c == '/';
  });
}

bool is_bearer_scheme(std::string_view s) {
  constexpr std::string_view kScheme = "bearer";
  return s.size() == kScheme.size() && std::equal(s.begin(), s.end(), kScheme.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

}  // namespace

std::expected<std::string_view, Reason> bearer_token(std::string_view header_value) {
  std::string_view value = trim(header_value);
  std::size_t space = value.find(' ');
  if (!is_bearer_scheme(value.substr(0, space))) return std::unexpected(Reason::missing_token);
  if (space == std::string_view::npos) return std::unexpected(Reason::malformed);
  std::string_view token = value.substr(value.find_first_not_of(' ', space));
  if (!is_token68(token)) return std::unexpected(Reason::malformed);
  return token;
}

}  // namespace igw::server::auth
