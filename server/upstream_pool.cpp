#include "server/upstream_pool.hpp"

#include "server/upstream_connection.hpp"

#include <sys/socket.h>

namespace igw::server {

const EndpointCache::Endpoints* EndpointCache::find(const std::string& origin,
                                                    std::chrono::steady_clock::time_point now) const {
  auto it = entries_.find(origin);
  if (it == entries_.end() || it->second.expires <= now) return nullptr;
  return &it->second.endpoints;
}

void EndpointCache::store(const std::string& origin, Endpoints endpoints, bool numeric,
                          std::chrono::steady_clock::time_point now) {
  auto expires = numeric ? std::chrono::steady_clock::time_point::max() : now + kTtl;
  entries_[origin] = Entry{std::move(endpoints), expires};
}
namespace {

// A connection idle for less than this is reused without a look at the socket: a provider that closes
// idle connections that fast is rare, and a request on a connection found closed is retried once on a
// fresh one anyway (UpstreamCall::send).
constexpr std::chrono::seconds kCheckAfterIdle{1};

// A pooled connection the peer closed (or that has stray bytes) must not carry the next request.
bool still_open(UpstreamConnection& conn, std::chrono::steady_clock::time_point now) {
  auto& sock = conn.stream.socket();
  if (!sock.is_open()) return false;
  if (now - conn.idle_since < kCheckAfterIdle) return true;
  char byte;
  ssize_t n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

UpstreamPool::UpstreamPool(const Limits& limits) : limits_(limits), gate_(kMaxConnecting) {}
UpstreamPool::~UpstreamPool() = default;

std::unique_ptr<UpstreamConnection> UpstreamPool::take(const std::string& origin) {
  auto it = idle_.find(origin);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  auto now = std::chrono::steady_clock::now();
  while (!list.empty()) {
    auto conn = std::move(list.back());
    list.pop_back();
    --total_;
    if (now - conn->idle_since <= limits_.pool_idle_timeout && still_open(*conn, now)) {
      conn->reused = true;
      return conn;
    }
    conn->stream.close();
  }
  return nullptr;
}

void UpstreamPool::give_back(std::unique_ptr<UpstreamConnection> conn) {
  auto& list = idle_[conn->origin];
  if (total_ >= limits_.pool_max_idle || list.size() >= limits_.pool_max_idle_per_host) {
    conn->stream.close();
    return;
  }
  conn->idle_since = std::chrono::steady_clock::now();
  conn->buffer.clear();
  list.push_back(std::move(conn));
  ++total_;
}

void UpstreamPool::sweep() {
  auto now = std::chrono::steady_clock::now();
  for (auto& [origin, list] : idle_) {
    std::erase_if(list, [&](std::unique_ptr<UpstreamConnection>& c) {
      if (now - c->idle_since <= limits_.pool_idle_timeout) return false;
      c->stream.close();
      --total_;
      return true;
    });
  }
}

void UpstreamPool::clear() {
  for (auto& [origin, list] : idle_)
    for (auto& c : list) c->stream.close();
  idle_.clear();
  total_ = 0;
}

}  // namespace igw::server
