#include "server/wire.hpp"

#include <charconv>
#include <ostream>  // Beast's string_view needs it complete

#include <boost/beast/http/status.hpp>

namespace igw::server::wire {

namespace http = boost::beast::http;

void append_number(std::string& out, std::size_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  (void)ec;
  out.append(buf, end);
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append(kCrlf);
}

void append_response_head(std::string& out, const ResponseHead& head) {
  out.append(head.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  append_number(out, head.status);
  out += ' ';
  out.append(http::obsolete_reason(static_cast<http::status>(head.status)));
  out.append("\r\nServer: igw\r\n");
  if (!head.request_id.empty()) append_field(out, "X-Request-Id", head.request_id);
  if (!head.content_type.empty()) append_field(out, "Content-Type", head.content_type);
  if (head.event_stream_headers) out.append("Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n");
  out.append(head.extra_fields);
  if (head.chunked) {
    out.append("Transfer-Encoding: chunked\r\n");
  } else if (head.content_length) {
    out.append("Content-Length: ");
    append_number(out, *head.content_length);
    out.append(kCrlf);
  }
  if (head.version == 10 && head.keep_alive) out.append("Connection: keep-alive\r\n");
  if (head.version != 10 && !head.keep_alive) out.append("Connection: close\r\n");
  out.append(kCrlf);
}

std::string_view chunk_size_line(std::array<char, 20>& buf, std::size_t size) {
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size() - 2, size, 16);
  (void)ec;
  end[0] = '\r';
  end[1] = '\n';
  return {buf.data(), static_cast<std::size_t>(end + 2 - buf.data())};
}

}  // namespace igw::server::wire
