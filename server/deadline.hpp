// A deadline for the operations on one socket. Implemented in deadline.cpp.
#pragma once

#include <chrono>
#include <memory>

#include "server/asio.hpp"

namespace igw::server {

// When the deadline passes, the socket is closed, so whatever is pending on it ends with operation_aborted,
// and expired() says why. Moving the deadline costs a clock read and a store: the timer is armed once and,
// when it fires before the deadline then in force, re-armed for it. (A timer per operation costs a
// timer-queue insert, a cancellation and an extra completion on every read, and a stream relays an event
// every few milliseconds.)
class Deadline {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::time_point kNever = Clock::time_point::max();

  explicit Deadline(const Executor& ex);
  ~Deadline();
  Deadline(Deadline&& other) noexcept = default;
  Deadline& operator=(Deadline&&) = delete;
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  // The socket to close; called again whenever the socket moves.
  void attach(Socket& socket);
  void expires_at(Clock::time_point when);
  void expires_after(Clock::duration d) { expires_at(Clock::now() + d); }
  void expires_never() { expires_at(kNever); }
  // The socket was closed because the deadline passed (reset by the next expires_*).
  bool expired() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace igw::server
