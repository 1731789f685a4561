// Internal to the server's .cpp files: Asio/Beast aliases and AnyStream, one stream type for plain TCP
// and TLS, downstream and upstream alike. Heavy: never include it from a header outside server/.
#pragma once

#include <chrono>
#include <memory>
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace igw::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
// The gateway's coroutines, sockets and timers all run on one worker's io_context: they name its concrete
// executor type instead of the type-erased any_io_executor (no virtual calls or work-count updates each
// time an operation copies its executor).
using Executor = asio::io_context::executor_type;
template <class T = void>
using awaitable = asio::awaitable<T, Executor>;
inline constexpr asio::use_awaitable_t<Executor> use_awaitable{};
inline constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable_t<Executor>{});
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<tcp, Executor>;
using Resolver = asio::ip::basic_resolver<tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>,
                                         Executor>;
// Beast's stream with per-operation timeouts: the metrics endpoint only (the gateway's streams use Deadline).
using TcpStream = beast::basic_stream<tcp, Executor>;
using TlsStream = ssl::stream<Socket>;

// A deadline for the operations on one socket: when it passes, the socket is closed, so whatever is
// pending on it ends with operation_aborted, and expired() says why. Moving the deadline costs a clock read
// and a store: the timer is armed once and, when it fires before the deadline then in force, re-armed for
// it. (A timer per operation costs a timer-queue insert, a cancellation and an extra completion on every
// read, and a stream relays an event every few milliseconds.)
class Deadline {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::time_point kNever = Clock::time_point::max();

  explicit Deadline(const Executor& ex);
  ~Deadline();
  Deadline(Deadline&& other) noexcept = default;
  Deadline& operator=(Deadline&&) = delete;
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  // The socket to close; called again whenever the socket moves.
  void attach(Socket& socket);
  void expires_at(Clock::time_point when);
  void expires_after(Clock::duration d) { expires_at(Clock::now() + d); }
  void expires_never() { expires_at(kNever); }
  // The socket was closed because the deadline passed (reset by the next expires_*).
  bool expired() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

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

// The rest of `buffers` after the first `done` bytes, through an asynchronous write bounded by `timeout`
// (the deadline is cleared afterwards).
template <class Buffers>
awaitable<error_code> write_rest(AnyStream& stream, const Buffers& buffers, std::size_t done,
                                 Deadline::Clock::duration timeout) {
  beast::buffers_suffix<Buffers> rest{buffers};
  rest.consume(done);
  stream.expires_after(timeout);
  auto [ec, n] = co_await asio::async_write(stream, rest, as_tuple_awaitable);
  (void)n;
  if (ec && stream.timed_out()) ec = beast::error::timeout;
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
