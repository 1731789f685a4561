// For the server's unit tests: a connected pair of TCP sockets on 127.0.0.1, the gateway's end wrapped in an
// AnyStream, and a way to run one coroutine on the loop to its end.
#pragma once

#include <doctest/doctest.h>

#include <optional>
#include <string_view>

#include "server/beast.hpp"

namespace igw::server::testing {

struct SocketPair {
  asio::io_context io;
  std::optional<AnyStream> ours;
  std::optional<Socket> peer;

  SocketPair() {
    Acceptor acceptor{io.get_executor(), tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
    Socket client{io.get_executor()};
    client.connect(acceptor.local_endpoint());
    ours.emplace(acceptor.accept());
    peer.emplace(std::move(client));
  }

  void send(std::string_view bytes) { asio::write(*peer, asio::buffer(bytes.data(), bytes.size())); }

  // Runs `op` (a callable returning awaitable<error_code>) to its end, bounded by 5 s so a broken test fails
  // instead of hanging.
  template <class Op>
  error_code run(Op op) {
    ours->expires_after(std::chrono::seconds(5));
    std::optional<error_code> ec;
    io.restart();
    asio::co_spawn(io, [&]() -> awaitable<void> {
      ec = co_await op();
      io.stop();  // the stream's deadline timer would keep run_for waiting
    }, asio::detached);
    io.run_for(std::chrono::seconds(5));
    REQUIRE(ec);
    return *ec;
  }
};

}  // namespace igw::server::testing
