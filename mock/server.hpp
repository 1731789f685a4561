// `igw mock`: the mock provider's network side. Boost.Asio + Beast with C++20 coroutines, one io_context per
// worker thread, each with its own SO_REUSEPORT acceptor. Beast stays inside server.cpp.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <string>

#include "mock/options.hpp"

namespace igw::mock {

class Server {
 public:
  // Binds and starts the worker threads; the error names the address or file at fault.
  static std::expected<std::unique_ptr<Server>, std::string> start(const Options& options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;
  const std::string& host() const;
  bool tls() const;
  // Stops every loop (open connections are dropped) and joins the threads. Idempotent.
  void stop();
  // Blocks until stop() is called from another thread (or a signal handler's thread).
  void wait();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace igw::mock
