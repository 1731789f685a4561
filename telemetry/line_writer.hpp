// The asynchronous sink behind the JSON logs: threads append whole lines to a shared buffer (a short
// lock, no system call, no wake-up per line); one writer thread collects what arrived during a short
// window and writes it with one write(2). When the output cannot keep up (a stalled pipe), lines beyond
// a byte budget are dropped and counted instead of blocking the request path, and a notice line says how
// many were lost once the output moves again.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace igw::telemetry::log {

class LineWriter {
 public:
  struct Options {
    std::size_t max_pending_bytes = 8u << 20;  // lines waiting beyond this are dropped
    std::chrono::milliseconds window{5};       // how long a batch may collect lines
    // The line (without newline) that reports `lost` dropped lines; none when empty.
    std::function<std::string(std::uint64_t lost)> dropped_notice;
  };

  LineWriter(int fd, Options options);
  ~LineWriter();  // writes what is pending, then stops
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  // Queues one line; a newline is added. Returns false when it was dropped (budget exceeded).
  bool append(std::string_view line);
  // Returns once every line appended before the call has been written (or the output failed).
  void flush();
  std::uint64_t dropped() const;

 private:
  void run();
  void write_all(std::string_view data);

  const int fd_;
  const Options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;     // the writer: lines arrived, a flush was asked, or stop
  std::condition_variable written_;  // flushers: a batch went out
  std::string pending_;
  std::uint64_t appended_ = 0;  // lines accepted so far
  std::uint64_t done_ = 0;      // lines written (or given up on) so far
  std::uint64_t dropped_ = 0;
  std::uint64_t dropped_reported_ = 0;
  bool flush_asked_ = false;
  bool stop_ = false;
  bool output_failed_ = false;
  std::thread thread_;
};

}  // namespace igw::telemetry::log
