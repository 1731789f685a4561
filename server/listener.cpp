#include "server/listener.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "server/beast.hpp"
#include "server/errors.hpp"
#include "server/session.hpp"
#include "telemetry/log.hpp"

namespace igw::server {

namespace lg = telemetry::log;

void tune_socket(Socket& socket) {
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  socket.non_blocking(true, ec);
}

Worker::~Worker() {
  pool.clear();
  error_code ec;
  if (acceptor) acceptor->close(ec);
  if (metrics_acceptor) metrics_acceptor->close(ec);
  acceptor.reset();
  metrics_acceptor.reset();
}

void Worker::begin_drain() {
  error_code ec;
  if (acceptor) acceptor->close(ec);
  for (auto* c : connections)
    if (c->idle) c->stream->close();
}

std::expected<Acceptor, std::string> open_acceptor(asio::io_context& ioc, const std::string& host,
                                                        std::uint16_t port, bool reuse_port) {
  auto where = host + ":" + std::to_string(port);
  error_code ec;
  Resolver resolver{ioc};
  auto results = resolver.resolve(host, std::to_string(port),
                                  Resolver::passive | Resolver::numeric_service, ec);
  if (ec || results.empty())
    return std::unexpected("cannot resolve listen address " + where + ": " + ec.message());
  tcp::endpoint ep = results.begin()->endpoint();
  Acceptor acceptor{ioc};
  if (acceptor.open(ep.protocol(), ec))
    return std::unexpected("cannot open a socket for " + where + ": " + ec.message());
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (reuse_port) {
    int one = 1;
    ::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  }
  if (acceptor.bind(ep, ec)) return std::unexpected("cannot listen on " + where + ": " + ec.message());
  if (acceptor.listen(4096, ec)) return std::unexpected("cannot listen on " + where + ": " + ec.message());
  return acceptor;
}

awaitable<void> accept_loop(Worker& worker) {
  auto& acceptor = *worker.acceptor;
  while (acceptor.is_open()) {
    auto [ec, socket] = co_await acceptor.async_accept(worker.ioc, as_tuple_awaitable);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
    if (ec) {
      // Out of file descriptors and the like: say so and breathe, rather than spin.
      lg::warn(lg::logger::server, "accept failed", {{lg::field::error, ec.message()}});
      Timer pause{worker.ioc, std::chrono::milliseconds(50)};
      co_await pause.async_wait(as_tuple_awaitable);
      continue;
    }
    asio::co_spawn(worker.ioc, serve_connection(worker, std::move(socket)), asio::detached);
  }
}

namespace {

awaitable<void> serve_metrics(Worker& worker, Socket socket) {
  tune_socket(socket);
  TcpStream stream{std::move(socket)};
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::empty_body> req;
    stream.expires_after(worker.state.limits.idle_timeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, req, as_tuple_awaitable);
    (void)n;
    if (ec) break;
    http::response<http::string_body> res{http::status::ok, req.version()};
    std::string_view path = req.target().substr(0, req.target().find('?'));
    if (req.method() == http::verb::get && path == "/metrics" && worker.state.recorder) {
      res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      res.body() = worker.state.recorder->exposition();
    } else {
      res.result(http::status::not_found);
      res.set(http::field::content_type, "application/json");
      res.body() = errors::body(404, errors::code::route_not_found, errors::route_not_found());
    }
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    stream.expires_after(worker.state.limits.write_timeout);
    auto [wec, wn] = co_await http::async_write(stream, res, as_tuple_awaitable);
    (void)wn;
    if (wec || !res.keep_alive()) break;
  }
  error_code ec;
  stream.socket().shutdown(Socket::shutdown_both, ec);
}

}  // namespace

awaitable<void> metrics_accept_loop(Worker& worker) {
  auto& acceptor = *worker.metrics_acceptor;
  while (acceptor.is_open()) {
    auto [ec, socket] = co_await acceptor.async_accept(worker.ioc, as_tuple_awaitable);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
    if (ec) continue;
    asio::co_spawn(worker.ioc, serve_metrics(worker, std::move(socket)), asio::detached);
  }
}

awaitable<void> pool_sweeper(Worker& worker) {
  auto every = std::min<Duration>(worker.state.limits.pool_idle_timeout, std::chrono::seconds(5));
  if (every <= Duration::zero()) every = std::chrono::seconds(1);
  Timer timer{worker.ioc};
  for (;;) {
    timer.expires_after(every);
    auto [ec] = co_await timer.async_wait(as_tuple_awaitable);
    if (ec) co_return;
    worker.pool.sweep();
  }
}

}  // namespace igw::server
