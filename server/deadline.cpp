#include "server/deadline.hpp"

namespace igw::server {

struct Deadline::State {
  explicit State(const Executor& ex) : timer(ex) {}
  Timer timer;
  Clock::time_point deadline = kNever;
  Clock::time_point armed = kNever;  // expiry of the outstanding wait; kNever when none
  Socket* socket = nullptr;          // null once the owner is gone
  bool expired = false;
};

namespace {

void arm(const std::shared_ptr<Deadline::State>& s, Deadline::Clock::time_point when);

void on_timer(const std::shared_ptr<Deadline::State>& s, const error_code& ec) {
  if (ec == asio::error::operation_aborted) return;  // replaced by a newer wait, or the owner went away
  s->armed = Deadline::kNever;
  if (!s->socket || s->deadline == Deadline::kNever) return;
  if (Deadline::Clock::now() < s->deadline) {
    arm(s, s->deadline);  // moved on since this wait was armed
    return;
  }
  s->expired = true;
  error_code ignored;
  s->socket->shutdown(Socket::shutdown_both, ignored);
  s->socket->close(ignored);
}

void arm(const std::shared_ptr<Deadline::State>& s, Deadline::Clock::time_point when) {
  s->armed = when;
  s->timer.expires_at(when);  // an outstanding wait, if any, completes with operation_aborted
  s->timer.async_wait([s](const error_code& ec) { on_timer(s, ec); });
}

}  // namespace

Deadline::Deadline(const Executor& ex) : state_(std::make_shared<State>(ex)) {}

Deadline::~Deadline() {
  if (!state_) return;  // moved from
  state_->socket = nullptr;
  state_->deadline = kNever;
  state_->timer.cancel();
}

void Deadline::attach(Socket& socket) {
  state_->socket = &socket;
}

void Deadline::expires_at(Clock::time_point when) {
  auto& s = *state_;
  s.deadline = when;
  s.expired = false;
  // A later deadline leaves the outstanding wait alone: when it fires it re-arms for the deadline then.
  if (when == kNever || s.armed <= when) return;
  arm(state_, when);
}

bool Deadline::expired() const {
  return state_->expired;
}

}  // namespace igw::server
