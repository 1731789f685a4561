// Listening sockets: SO_REUSEADDR, SO_REUSEPORT (one acceptor per worker on the same port, the kernel
// spreading connections), a large backlog; and the accept loops of the API and metrics ports.
#pragma once

#include <expected>
#include <string>

#include "server/asio.hpp"
#include "server/worker.hpp"

namespace igw::server {

// Resolves host ("127.0.0.1", "0.0.0.0", "::", "localhost") and binds. Error: one line naming host:port.
std::expected<Acceptor, std::string> open_acceptor(asio::io_context& ioc, const std::string& host,
                                                        std::uint16_t port, bool reuse_port);

// Accepts until the acceptor is closed; each connection is served on this worker.
awaitable<void> accept_loop(Worker& worker);

// GET /metrics -> the recorder's exposition; anything else 404.
awaitable<void> metrics_accept_loop(Worker& worker);

// Closes idle pooled upstream connections now and then.
awaitable<void> pool_sweeper(Worker& worker);

}  // namespace igw::server
