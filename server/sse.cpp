#include "server/sse.hpp"

namespace igw::server {
namespace {

// Offset just past the first blank line at or after `from`, or npos.
std::size_t event_end(std::string_view buf, std::size_t from) {
  for (std::size_t i = buf.find('\n', from); i != std::string_view::npos; i = buf.find('\n', i + 1)) {
    std::size_t j = i + 1;
    if (j < buf.size() && buf[j] == '\r') ++j;
    if (j < buf.size() && buf[j] == '\n') return j + 1;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<std::string_view> SseSplitter::next_event() {
  std::string_view buf{buffer_};
  std::size_t end = event_end(buf, consumed_);
  if (end == std::string_view::npos) return std::nullopt;
  auto ev = buf.substr(consumed_, end - consumed_);
  consumed_ = end;
  return ev;
}

void SseSplitter::compact() {
  buffer_.erase(0, consumed_);
  consumed_ = 0;
}

std::string_view event_data(std::string_view event, std::string& scratch) {
  std::string_view only;  // the first data line, as long as it is the only one
  bool first = true;
  while (!event.empty()) {
    auto nl = event.find('\n');
    auto line = event.substr(0, nl);
    event = nl == std::string_view::npos ? std::string_view{} : event.substr(nl + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!line.starts_with("data:")) continue;
    line.remove_prefix(5);
    if (line.starts_with(' ')) line.remove_prefix(1);
    if (first) {
      only = line;
      first = false;
      continue;
    }
    if (only.data() != scratch.data()) scratch.assign(only);
    scratch += '\n';
    scratch.append(line);
    only = scratch;
  }
  return only;
}

bool is_done_event(std::string_view data) {
  return data == "[DONE]";
}

}  // namespace igw::server
