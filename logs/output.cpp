#include "logs/output.hpp"

#include <unistd.h>

#include <cerrno>

namespace igw::logs {

void Output::flush() {
  std::size_t done = 0;
  while (done < buf_.size() && !broken_) {
    ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      broken_ = true;  // EPIPE (SIGPIPE ignored) or a closed descriptor: nobody is reading any more
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  buf_.clear();
}

}  // namespace igw::logs
