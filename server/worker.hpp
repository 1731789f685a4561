// One event loop and everything that belongs to it: its io_context (run by one thread), its listener,
// its upstream connection pool and the client connections it serves. A request never leaves its worker.
#pragma once

#include <optional>
#include <unordered_set>

#include "server/stream.hpp"
#include "server/state.hpp"
#include "server/upstream_pool.hpp"

namespace igw::server {

// A client connection, as the drain sees it.
struct ClientConnection {
  AnyStream* stream = nullptr;
  bool idle = true;  // waiting for the next request: may be closed at once when draining
};

struct Worker {
  Worker(GatewayState& s, ssl::context* tls) : state(s), server_tls(tls), pool(s.limits) {}
  // Sockets go before the io_context they belong to; pending coroutines die with the io_context.
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  GatewayState& state;
  ssl::context* server_tls;  // null: plain HTTP
  UpstreamPool pool;
  std::unordered_set<ClientConnection*> connections;
  std::optional<Acceptor> acceptor;
  std::optional<Acceptor> metrics_acceptor;
  asio::io_context ioc{1};  // last: destroyed first

  // Stops accepting and closes the connections waiting for a request; busy ones close after their
  // response. Runs on the worker's thread.
  void begin_drain();
};

}  // namespace igw::server
