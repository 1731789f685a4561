#include "server/request_id.hpp"

#include <array>
#include <cstdint>
#include <random>

namespace igw::server {

bool is_sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (unsigned char c : id)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

std::string new_request_id() {
  // One generator per thread: no lock on the request path.
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    return (std::uint64_t{rd()} << 32) ^ rd();
  }()};
  std::array<std::uint8_t, 16> b{};
  for (std::size_t i = 0; i < b.size(); i += 8) {
    std::uint64_t r = rng();
    for (std::size_t j = 0; j < 8; ++j) b[i + j] = static_cast<std::uint8_t>(r >> (j * 8));
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  char* p = out.data();
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) ++p;  // the dash already there
    *p++ = kHex[b[i] >> 4];
    *p++ = kHex[b[i] & 0x0f];
  }
  return out;
}

std::string choose_request_id(std::string_view incoming) {
  return is_sane_request_id(incoming) ? std::string{incoming} : new_request_id();
}

}  // namespace igw::server
