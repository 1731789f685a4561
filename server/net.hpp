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
using TcpStream = beast::basic_stream<tcp, Executor>;
using TlsStream = ssl::stream<TcpStream>;

// A TCP stream, optionally wrapped in TLS. Satisfies AsyncReadStream/AsyncWriteStream, so Beast's
// http::async_read/async_write work on it whichever it holds.
class AnyStream {
 public:
  using executor_type = Executor;

  explicit AnyStream(TcpStream tcp) : tcp_(std::move(tcp)) {}
  AnyStream(TcpStream tcp, ssl::context& ctx)
      : tls_(std::make_unique<TlsStream>(std::move(tcp), ctx)), tcp_(tls_->next_layer().get_executor()) {}

  executor_type get_executor() { return tcp().get_executor(); }
  TcpStream& tcp() { return tls_ ? tls_->next_layer() : tcp_; }
  Socket& socket() { return tcp().socket(); }
  TlsStream* tls() { return tls_.get(); }
  bool is_tls() const { return tls_ != nullptr; }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Token>(token));
    return tcp_.async_read_some(buffers, std::forward<Token>(token));
  }
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    if (tls_) return tls_->async_write_some(buffers, std::forward<Token>(token));
    return tcp_.async_write_some(buffers, std::forward<Token>(token));
  }

  // Closes the socket now: pending operations complete with operation_aborted.
  void close() {
    error_code ec;
    socket().shutdown(Socket::shutdown_both, ec);
    socket().close(ec);
  }

 private:
  std::unique_ptr<TlsStream> tls_;
  TcpStream tcp_;  // unused (and unopened) when tls_ is set
};

// Disables Nagle and puts the socket in non-blocking mode, so write_all can try a write right away.
void tune_socket(Socket& socket);

// Writes all of `buffers`: first straight to a plain TCP socket (the common case, where the kernel takes
// everything at once and the coroutine never suspends), then what is left through an asynchronous write
// (bounded by the stream's timer, which the caller sets).
template <class Buffers>
awaitable<error_code> write_all(AnyStream& stream, const Buffers& buffers) {
  std::size_t done = 0;
  if (!stream.is_tls()) {
    error_code ec;
    done = stream.socket().write_some(buffers, ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) co_return ec;
    if (ec) done = 0;
    if (done == asio::buffer_size(buffers)) co_return error_code{};
  }
  beast::buffers_suffix<Buffers> rest{buffers};
  rest.consume(done);
  auto [ec, n] = co_await asio::async_write(stream, rest, as_tuple_awaitable);
  (void)n;
  co_return ec;
}

}  // namespace igw::server
