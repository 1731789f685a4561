// Caps the upstream connections being opened at once to one origin, per worker. Without it, a burst of
// new streams sends thousands of SYNs to the provider at once; when its accept queue overflows, dropped
// SYNs are retried only after 1 s, 3 s, 7 s, and the calls fail their connect timeout although the
// provider is healthy. Calls over the cap wait their turn (first come, first served) up to a deadline.
#pragma once

#include <chrono>
#include <list>
#include <string>
#include <unordered_map>

#include "server/asio.hpp"

namespace igw::server {

class ConnectGate {
 public:
  explicit ConnectGate(std::size_t max_connecting) : max_(max_connecting) {}

  // Waits for a turn to connect to origin; false when the deadline passed first. Each true must be
  // matched by one release(origin).
  awaitable<bool> acquire(const std::string& origin, std::chrono::steady_clock::time_point deadline);
  void release(const std::string& origin);

  std::size_t connecting(const std::string& origin) const;
  std::size_t waiting(const std::string& origin) const;

 private:
  struct Waiter {
    Timer* timer;
    bool granted = false;
  };
  struct Origin {
    std::size_t active = 0;
    std::list<Waiter*> queue;
  };
  std::size_t max_;
  std::unordered_map<std::string, Origin> origins_;
};

// Releases a turn when it goes out of scope.
struct ConnectTurn {
  ConnectGate& gate;
  const std::string& origin;
  ConnectTurn(ConnectGate& g, const std::string& o) : gate(g), origin(o) {}
  ConnectTurn(const ConnectTurn&) = delete;
  ConnectTurn& operator=(const ConnectTurn&) = delete;
  ~ConnectTurn() { gate.release(origin); }
};

}  // namespace igw::server
