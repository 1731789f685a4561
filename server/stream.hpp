// AnyStream, one stream type for plain TCP and TLS, downstream and upstream alike, and the write helpers
// every response and request goes through. Asio only (no Beast).
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include <boost/asio/ssl.hpp>

#include "server/asio.hpp"
#include "server/deadline.hpp"

namespace igw::server {

using TlsStream = ssl::stream<Socket>;

// A TCP stream, optionally wrapped in TLS, with one Deadline for whatever runs on it. Satisfies
// AsyncReadStream/AsyncWriteStream. Reads and writes go straight to the socket (or the TLS stream over it).
class AnyStream {
 public:
  using executor_type = Executor;

  explicit AnyStream(Socket socket) : socket_(std::move(socket)), deadline_(socket_.get_executor()) {
    deadline_.attach(socket_);
  }
  AnyStream(Socket socket, ssl::context& ctx)
      : tls_(std::make_unique<TlsStream>(std::move(socket), ctx)),
        socket_(tls_->get_executor()),
        deadline_(tls_->get_executor()) {
    deadline_.attach(tls_->next_layer());
  }
  AnyStream(AnyStream&& other) noexcept
      : tls_(std::move(other.tls_)), socket_(std::move(other.socket_)), deadline_(std::move(other.deadline_)) {
    deadline_.attach(socket());
  }
  AnyStream& operator=(AnyStream&&) = delete;

  executor_type get_executor() { return socket().get_executor(); }
  Socket& socket() { return tls_ ? tls_->next_layer() : socket_; }
  TlsStream* tls() { return tls_.get(); }
  bool is_tls() const { return tls_ != nullptr; }

  // Bounds everything on the stream until moved again (the socket closes when it passes).
  void expires_after(Deadline::Clock::duration d) { deadline_.expires_after(d); }
  void expires_at(Deadline::Clock::time_point t) { deadline_.expires_at(t); }
  void expires_never() { deadline_.expires_never(); }
  // The last operation failed because the deadline passed.
  bool timed_out() const { return deadline_.expired(); }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Token>(token));
    return socket_.async_read_some(buffers, std::forward<Token>(token));
  }
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    if (tls_) return tls_->async_write_some(buffers, std::forward<Token>(token));
    return socket_.async_write_some(buffers, std::forward<Token>(token));
  }

  // Closes the socket now: pending operations complete with operation_aborted.
  void close() {
    error_code ec;
    socket().shutdown(Socket::shutdown_both, ec);
    socket().close(ec);
  }

 private:
  std::unique_ptr<TlsStream> tls_;
  Socket socket_;  // unused (and unopened) when tls_ is set
  Deadline deadline_;
};

// Disables Nagle and puts the socket in non-blocking mode, so write_all can try a write right away.
void tune_socket(Socket& socket);

// The error an operation ends with when the stream's deadline passed.
inline error_code timed_out_error() { return asio::error::timed_out; }

// What a plain TCP socket takes of `buffers` right away, without waiting (0 on TLS, whose records are
// written through the asynchronous path). ec is set only on a real error.
template <class Buffers>
std::size_t write_now(AnyStream& stream, const Buffers& buffers, error_code& ec) {
  ec = {};
  if (stream.is_tls()) return 0;
  std::size_t done = stream.socket().write_some(buffers, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec = {};
    return 0;
  }
  return ec ? 0 : done;
}

// The buffers of a sequence after its first `skip` bytes.
template <class Buffers>
std::vector<asio::const_buffer> buffers_after(const Buffers& buffers, std::size_t skip) {
  std::vector<asio::const_buffer> rest;
  for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
    asio::const_buffer b = *it;
    if (skip >= b.size()) {
      skip -= b.size();
      continue;
    }
    rest.push_back(b + skip);
    skip = 0;
  }
  return rest;
}

// The rest of `buffers` after the first `done` bytes, through an asynchronous write bounded by `timeout`
// (the deadline is cleared afterwards). A passed deadline comes back as timed_out_error().
template <class Buffers>
awaitable<error_code> write_rest(AnyStream& stream, const Buffers& buffers, std::size_t done,
                                 Deadline::Clock::duration timeout) {
  auto rest = buffers_after(buffers, done);
  stream.expires_after(timeout);
  auto [ec, n] = co_await asio::async_write(stream, rest, as_tuple_awaitable);
  (void)n;
  if (ec && stream.timed_out()) ec = timed_out_error();
  stream.expires_never();
  co_return ec;
}

// Writes all of `buffers`: first straight to a plain TCP socket (the common case, where the kernel takes
// everything at once and the coroutine never suspends), then what is left asynchronously.
template <class Buffers>
awaitable<error_code> write_all(AnyStream& stream, const Buffers& buffers, Deadline::Clock::duration timeout) {
  error_code ec;
  std::size_t done = write_now(stream, buffers, ec);
  if (ec) co_return ec;
  if (done == asio::buffer_size(buffers)) co_return error_code{};
  co_return co_await write_rest(stream, buffers, done, timeout);
}

}  // namespace igw::server
