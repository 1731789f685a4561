#include "server/upstream_response.hpp"

#include <algorithm>
#include <cstring>

namespace igw::server {

std::size_t UpstreamResponseParser::take(beast::string_view body, error_code& ec) {
  const std::size_t n = std::min(body.size(), room_);
  if (n > 0) std::memcpy(out_, body.data(), n);
  out_ += n;
  room_ -= n;
  if (n < body.size()) ec = http::error::need_buffer;
  return n;
}

}  // namespace igw::server
