// HTTP/1.1 heads and chunk framing written by hand, so a message goes out as one gathered write
// (head + body) instead of through Beast's serializer and its buffer views.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace igw::server::wire {

// "Name: value\r\n" and a decimal number: the pieces every head here is written with.
void append_field(std::string& out, std::string_view name, std::string_view value);
void append_number(std::string& out, std::size_t n);

// A response head. `keep_alive` is what the connection will do; for HTTP/1.0 clients it is announced
// with "Connection: keep-alive", for HTTP/1.1 a close is announced with "Connection: close".
struct ResponseHead {
  unsigned status = 200;
  unsigned version = 11;
  bool keep_alive = true;
  std::string_view request_id;
  std::string_view content_type;
  bool chunked = false;                       // Transfer-Encoding: chunked
  std::optional<std::size_t> content_length;  // else; neither: the body ends with the connection
  bool event_stream_headers = false;  // Cache-Control: no-cache and X-Accel-Buffering: no
  std::string_view extra_fields;      // whole "Name: value\r\n" lines added as they are
};
void append_response_head(std::string& out, const ResponseHead& head);

// The size line of one chunk ("1a2b\r\n"), written into `buf`; returns the used part.
std::string_view chunk_size_line(std::array<char, 20>& buf, std::size_t size);
inline constexpr std::string_view kCrlf = "\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

}  // namespace igw::server::wire
