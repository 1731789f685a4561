#include "server/ascii.hpp"

namespace igw::server {
namespace {

unsigned fold(char c) {
  unsigned x = static_cast<unsigned char>(c);
  return x - 'A' < 26u ? x + 32 : x;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (fold(a[i]) != fold(b[i])) return false;
  return true;
}

std::string to_lower(std::string_view s) {
  std::string out(s.size(), '\0');
  for (std::size_t i = 0; i < s.size(); ++i) out[i] = static_cast<char>(fold(s[i]));
  return out;
}

}  // namespace igw::server
