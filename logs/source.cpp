#include "logs/source.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace igw::logs {
namespace {

constexpr std::size_t kReadChunk = 256 * 1024;

std::string why(int err) {
  return std::strerror(err);
}

}  // namespace

void LineSplitter::append(std::string_view part) {
  std::size_t room = partial_.size() < max_ ? max_ - partial_.size() : 0;
  if (part.size() > room) {
    dropped_ += part.size() - room;
    part = part.substr(0, room);
  }
  partial_ += part;
  pending_ = true;
}

void LineSplitter::feed(std::string_view data, LineHandler& h) {
  while (!data.empty()) {
    const void* nl = std::memchr(data.data(), '\n', data.size());
    if (!nl) {
      append(data);
      return;
    }
    std::size_t len = static_cast<const char*>(nl) - data.data();
    if (!pending_ && len <= max_) {
      h.on_line(data.substr(0, len), 0);  // the common case: no copy
    } else {
      append(data.substr(0, len));
      h.on_line(partial_, dropped_);
      partial_.clear();
      dropped_ = 0;
      pending_ = false;
    }
    data.remove_prefix(len + 1);
  }
}

void LineSplitter::finish(LineHandler& h) {
  if (!pending_) return;
  h.on_line(partial_, dropped_);
  partial_.clear();
  dropped_ = 0;
  pending_ = false;
}

Source::Source(std::string path, std::size_t max_line)
    : path_(std::move(path)), name_(path_ == "-" ? "(stdin)" : path_), splitter_(max_line) {
  is_stdin_ = path_ == "-";
  if (is_stdin_) fd_ = STDIN_FILENO;
}

Source::~Source() {
  if (fd_ >= 0 && !is_stdin_) ::close(fd_);
}

Source::Open Source::open_file(LineHandler& h, bool following) {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | (following ? O_NONBLOCK : 0));
  if (fd < 0) {
    int err = errno;
    // While following, a missing file is waited for, and other failures are reported once.
    bool quiet = following && (err == ENOENT || announced_missing_);
    if (!quiet) h.on_note(name_ + ": cannot open: " + why(err));
    return err == ENOENT ? Open::missing : Open::failed;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    h.on_note(name_ + ": is a directory, not a log file");
    finished_ = failed_ = true;
    return Open::failed;
  }
  fd_ = fd;
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  regular_ = S_ISREG(st.st_mode);
  offset_ = 0;
  return Open::ok;
}

std::size_t Source::drain(LineHandler& h) {
  static thread_local std::string buf(kReadChunk, '\0');
  std::size_t total = 0;
  while (true) {
    if (!regular_) {  // a pipe or terminal: never block while following
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0) return total;
    }
    ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return total;
    if (n < 0) {
      h.on_note(name_ + ": read error: " + why(errno));
      finished_ = failed_ = is_stdin_ || !regular_;
      return total;
    }
    if (n == 0) {
      if (!regular_) {
        splitter_.finish(h);
        finished_ = true;
      }
      return total;
    }
    offset_ += n;
    total += static_cast<std::size_t>(n);
    splitter_.feed(std::string_view{buf.data(), static_cast<std::size_t>(n)}, h);
  }
}

bool Source::read_all(LineHandler& h) {
  if (!is_stdin_ && open_file(h, false) != Open::ok) return false;
  if (is_stdin_) regular_ = true;  // a plain blocking read to the end
  while (true) {
    static thread_local std::string buf(kReadChunk, '\0');
    ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      h.on_note(name_ + ": read error: " + why(errno));
      splitter_.finish(h);
      return false;
    }
    if (n == 0) break;
    splitter_.feed(std::string_view{buf.data(), static_cast<std::size_t>(n)}, h);
    if (!h.on_idle()) return true;
  }
  splitter_.finish(h);
  return true;
}

void Source::close_file(LineHandler& h) {
  splitter_.finish(h);
  ::close(fd_);
  fd_ = -1;
}

bool Source::replaced_on_disk() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return false;
  return st.st_dev != dev_ || st.st_ino != ino_;
}

std::size_t Source::follow_step(LineHandler& h) {
  if (finished_) return 0;
  if (is_stdin_) {
    regular_ = false;
    return drain(h);
  }
  if (fd_ < 0) {
    Open r = open_file(h, true);
    if (r == Open::missing && !announced_missing_) h.on_note(name_ + ": waiting for the file to appear");
    if (r != Open::ok) {
      announced_missing_ = true;
      return 0;
    }
    if (seen_) h.on_note(name_ + ": has appeared; following the new file");
    seen_ = true;
  }
  struct stat st {};
  if (regular_ && ::fstat(fd_, &st) == 0 && st.st_size < offset_) {
    h.on_note(name_ + ": file truncated; reading from the start");
    splitter_.finish(h);
    ::lseek(fd_, 0, SEEK_SET);
    offset_ = 0;
  }
  std::size_t n = drain(h);
  if (::stat(path_.c_str(), &st) != 0) {
    if (!gone_) h.on_note(name_ + ": has been removed or renamed; waiting for it to come back");
    gone_ = true;
    return n;
  }
  gone_ = false;
  if (replaced_on_disk()) {
    n += drain(h);  // what the writer added to the old file before it moved on
    close_file(h);
    h.on_note(name_ + ": has been replaced; following the new file");
    announced_missing_ = true;
    seen_ = false;
    n += follow_step(h);
  }
  return n;
}

}  // namespace igw::logs
