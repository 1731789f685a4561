// Keep-alive upstream connections of one event loop, by origin. Owned by a Worker and only touched from
// its thread: no locks.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/asio.hpp"
#include "server/connect_gate.hpp"
#include "server/state.hpp"

namespace igw::server {

struct UpstreamConnection;  // upstream_connection.hpp

// The addresses of each origin, so a new connection does not wait for the resolver (getaddrinfo on
// asio's resolver thread, one lookup at a time): numeric hosts for good, names for kTtl (DNS changes are
// picked up after that, or at once when connecting fails). Failed lookups are not kept.
class EndpointCache {
 public:
  using Endpoints = std::vector<tcp::endpoint>;
  static constexpr std::chrono::seconds kTtl{30};
  const Endpoints* find(const std::string& origin, std::chrono::steady_clock::time_point now) const;
  void store(const std::string& origin, Endpoints endpoints, bool numeric, std::chrono::steady_clock::time_point now);
  // After a failed connect: the next call looks the name up again.
  void forget(const std::string& origin) { entries_.erase(origin); }

 private:
  struct Entry {
    Endpoints endpoints;
    std::chrono::steady_clock::time_point expires;
  };
  std::unordered_map<std::string, Entry> entries_;
};

class UpstreamPool {
 public:
  explicit UpstreamPool(const Limits& limits);
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;
  // New connections opened at once to one origin (per worker); more wait their turn.
  static constexpr std::size_t kMaxConnecting = 64;
  ConnectGate& connect_gate() { return gate_; }
  EndpointCache& endpoints() { return endpoints_; }
  // An idle connection to origin that still looks open, or null.
  std::unique_ptr<UpstreamConnection> take(const std::string& origin);
  // Keeps a connection whose last response was read to the end, if the caps allow.
  void give_back(std::unique_ptr<UpstreamConnection> conn);
  // Closes connections idle for longer than CLIENT_IDLE_CONN_TIMEOUT.
  void sweep();
  void clear();
  std::size_t idle_count() const { return total_; }

 private:
  const Limits& limits_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
  std::size_t total_ = 0;
  ConnectGate gate_;
  EndpointCache endpoints_;
};

}  // namespace igw::server
