// A client connection: optional TLS handshake, then requests read one after the other (keep-alive),
// each dispatched to its route on this worker, until the client leaves, a timeout, or the drain.
#pragma once

#include "server/asio.hpp"
#include "server/worker.hpp"

namespace igw::server {

awaitable<void> serve_connection(Worker& worker, Socket socket);

}  // namespace igw::server
