#include "telemetry/line_writer.hpp"

#include <unistd.h>

#include <cerrno>

namespace igw::telemetry::log {
namespace {

constexpr std::size_t kKeepCapacity = 1u << 20;  // batch buffers larger than this are given back

}  // namespace

LineWriter::LineWriter(int fd, Options options) : fd_(fd), options_(options), thread_([this] { run(); }) {}

LineWriter::~LineWriter() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

bool LineWriter::append(std::string_view line) {
  bool first;
  {
    std::lock_guard lock(mutex_);
    if (pending_.size() + line.size() + 1 > options_.max_pending_bytes) {
      ++dropped_;
      return false;
    }
    first = pending_.empty();
    pending_.append(line);
    pending_ += '\n';
    ++appended_;
  }
  // Only the line that starts a batch wakes the writer; the rest ride along.
  if (first) wake_.notify_one();
  return true;
}

void LineWriter::flush() {
  std::unique_lock lock(mutex_);
  std::uint64_t target = appended_;
  if (done_ >= target) return;
  flush_asked_ = true;
  wake_.notify_one();
  written_.wait(lock, [&] { return done_ >= target; });
}

std::uint64_t LineWriter::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void LineWriter::write_all(std::string_view data) {
  while (!data.empty() && !output_failed_) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      output_failed_ = true;  // a closed stdout: keep accepting lines, write nothing
      break;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void LineWriter::run() {
  std::string batch;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return !pending_.empty() || stop_ || flush_asked_; });
    if (pending_.empty() && stop_) break;
    // Let the batch fill for a moment (one write for many lines), unless a flush or the end is asked.
    wake_.wait_for(lock, options_.window, [&] { return stop_ || flush_asked_; });
    flush_asked_ = false;
    batch.swap(pending_);
    std::uint64_t upto = appended_;
    std::uint64_t lost = dropped_ - dropped_reported_;
    dropped_reported_ = dropped_;
    lock.unlock();
    if (lost > 0 && options_.dropped_notice) {
      batch += options_.dropped_notice(lost);
      batch += '\n';
    }
    write_all(batch);
    batch.clear();
    if (batch.capacity() > kKeepCapacity) batch.shrink_to_fit();
    lock.lock();
    done_ = upto;
    written_.notify_all();
  }
  done_ = appended_;
  written_.notify_all();
}

}  // namespace igw::telemetry::log
