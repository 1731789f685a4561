// Server-sent events on their way through: the upstream bytes split into whole events, so each is
// forwarded as soon as it is complete and an error event can never land inside a half-sent one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace igw::server {

// Accumulates bytes and hands out complete events (terminated by a blank line, LF or CRLF).
class SseSplitter {
 public:
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete event including its terminating blank line, or nullopt. The view stays valid
  // until the next feed() or compact().
  std::optional<std::string_view> next_event();
  // Drops the events already handed out (call before feed()).
  void compact();
  std::size_t pending_bytes() const { return buffer_.size() - consumed_; }

 private:
  std::string buffer_;
  std::size_t consumed_ = 0;
};

// The concatenated `data:` lines of one event (joined with '\n', as the SSE spec says): a view into `event`
// when it has a single data line (the usual case), else into `scratch`, which holds the joined lines.
std::string_view event_data(std::string_view event, std::string& scratch);
bool is_done_event(std::string_view data);  // data: [DONE]

}  // namespace igw::server
