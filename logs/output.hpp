// Buffered writes to a file descriptor; a reader that went away (EPIPE) ends the output quietly.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace igw::logs {

class Output {
 public:
  explicit Output(int fd) : fd_(fd) { buf_.reserve(kFlushAt * 2); }
  ~Output() { flush(); }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  // The buffer renderers append to; call maybe_flush() after.
  std::string& buffer() { return buf_; }
  void maybe_flush() {
    if (buf_.size() >= kFlushAt) flush();
  }
  void flush();
  bool broken() const { return broken_; }

  static constexpr std::size_t kFlushAt = 64 * 1024;

 private:
  int fd_;
  std::string buf_;
  bool broken_ = false;
};

}  // namespace igw::logs
