#include "mock/server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "mock/openai.hpp"
#include "mock/router.hpp"
#include "mock/state.hpp"

namespace igw::mock {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t kBodyLimit = 64ULL << 20;
constexpr int kBacklog = 4096;

}  // namespace

struct Worker {
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> busy{ioc.get_executor()};
  std::mt19937_64 rng;
  std::thread thread;
};

struct Server::Impl {
  explicit Impl(const Options& o) : options(o), state(o.record), router(options, state) {}
  Options options;
  State state;
  Router router;
  std::optional<asio::ssl::context> ssl;
  std::uint16_t port = 0;
  std::mutex mutex;
  std::condition_variable stopped_cv;
  bool stopped = false;
  std::vector<std::unique_ptr<Worker>> workers;  // destroyed before the state the connections use
  std::optional<tcp::acceptor> acceptor;         // on workers[0]
};

namespace {

using Impl = Server::Impl;

struct ConnectionCount {
  State& state;
  explicit ConnectionCount(State& s) : state(s) { state.connection_opened(); }
  ~ConnectionCount() { state.connection_closed(); }
};

template <class Stream>
tcp::socket& raw_socket(Stream& stream) {
  return beast::get_lowest_layer(stream).socket();
}

template <class Stream>
void close_now(Stream& stream) {
  boost::system::error_code ec;
  raw_socket(stream).close(ec);
}

// Returns when the client closes the connection (or it breaks). Bytes from the client (a pipelined request, a
// TLS record) are not a close: then it waits until cancelled.
template <class Stream>
asio::awaitable<void> client_left(Stream& stream) {
  auto& socket = raw_socket(stream);
  auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, kNoThrow);
  if (ec) co_return;
  char byte = 0;
  auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) co_return;
  asio::steady_timer forever(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
  co_await forever.async_wait(kNoThrow);
}

// Waits up to `limit` for the next request on a kept-alive connection: true when nothing came.
template <class Stream>
asio::awaitable<bool> idle_for(Stream& stream, Millis limit) {
  asio::steady_timer timer(co_await asio::this_coro::executor, limit);
  auto first = co_await (timer.async_wait(kNoThrow) || raw_socket(stream).async_wait(tcp::socket::wait_read, kNoThrow));
  co_return first.index() == 0;
}

asio::awaitable<void> sleep_for(Millis delay) {
  if (delay.count() <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(kNoThrow);
}

template <class Stream>
asio::awaitable<bool> write_body(Stream& stream, Reply& reply, bool keep_alive) {
  co_await sleep_for(reply.latency);
  http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
  if (!reply.content_type.empty()) res.set(http::field::content_type, reply.content_type);
  for (const auto& [name, value] : reply.headers) res.set(name, value);
  res.keep_alive(keep_alive);
  res.body() = std::move(reply.body);
  res.prepare_payload();
  auto [ec, n] = co_await http::async_write(stream, res, kNoThrow);
  co_return !ec && keep_alive;
}

// Writes the events one by one, paced; notices a client that leaves and drops the connection on purpose
// after fail_after_chunks events.
template <class Stream>
asio::awaitable<bool> write_stream(Stream& stream, const Reply& reply, const Request& req, bool keep_alive,
                                   State& state) {
  co_await sleep_for(reply.latency);
  http::response<http::empty_body> res{http::status::ok, 11};
  res.set(http::field::content_type, reply.content_type);
  res.set(http::field::cache_control, "no-cache");
  for (const auto& [name, value] : reply.headers) res.set(name, value);
  res.keep_alive(keep_alive);
  res.chunked(true);
  http::response_serializer<http::empty_body> serializer{res};
  if (auto [ec, n] = co_await http::async_write_header(stream, serializer, kNoThrow); ec) co_return false;
  state.stream_opened();
  const std::size_t count = reply.events.size();
  const std::size_t cut = reply.fail_after_chunks >= 0
                              ? std::min(static_cast<std::size_t>(reply.fail_after_chunks), count + 1)
                              : count + 1;
  // One pacing timer and one watch on the client for the whole stream (not a timer and a watch per event).
  std::size_t sent = 0;  // events written
  asio::steady_timer pace(co_await asio::this_coro::executor);
  enum class End { done, failed_on_purpose, write_failed };
  auto events = [&]() -> asio::awaitable<End> {
    std::string batch;
    for (std::size_t i = 0; i < count;) {
      Millis delay = i == 0 ? reply.ttft : reply.token_delay;
      if (delay.count() > 0) {
        pace.expires_after(delay);
        auto [tec] = co_await pace.async_wait(kNoThrow);
        if (tec) co_return End::write_failed;  // cancelled: the client left
      }
      if (i == cut) co_return End::failed_on_purpose;
      // Without a token delay the events that are due go out in one write (one syscall, not one each).
      std::size_t end = reply.token_delay.count() > 0 ? i + 1 : std::min(cut, count);
      std::string_view out = reply.events[i];
      if (end > i + 1) {
        batch.clear();
        for (std::size_t k = i; k < end; ++k) batch += reply.events[k];
        out = batch;
      }
      auto [ec, n] = co_await asio::async_write(stream, http::make_chunk(asio::buffer(out)), kNoThrow);
      if (ec) co_return End::write_failed;
      i = end;
      sent = i;
    }
    co_return End::done;
  };
  auto outcome = co_await (events() || client_left(stream));
  if (outcome.index() == 1 || std::get<0>(outcome) == End::write_failed) {
    state.stream_cancelled(req.target, static_cast<int>(sent));
    close_now(stream);
    co_return false;
  }
  if (std::get<0>(outcome) == End::failed_on_purpose) {
    state.stream_failed_on_purpose();
    close_now(stream);
    co_return false;
  }
  auto [ec, n] = co_await asio::async_write(stream, http::make_chunk_last(), kNoThrow);
  state.stream_completed();
  co_return !ec && keep_alive;
}

Request to_request(http::request<http::string_body>&& req) {
  Request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.headers.reserve(8);
  for (const auto& f : req) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  r.body = std::move(req.body());
  return r;
}

template <class Stream>
asio::awaitable<void> serve_connection(Stream& stream, Impl& impl, Worker& worker) {
  ConnectionCount count(impl.state);
  beast::flat_buffer buffer;
  const Millis idle_limit = impl.options.keepalive_timeout;
  for (bool first = true;; first = false) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    // Like a provider that drops idle keep-alive connections.
    if (!first && idle_limit.count() > 0 && buffer.size() == 0 && co_await idle_for(stream, idle_limit)) break;
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kNoThrow);
    if (ec == http::error::body_limit) {
      Reply too_big;
      too_big.status = 413;
      too_big.body = openai_error_json(413, "request body over the mock's 64 MiB limit");
      co_await write_body(stream, too_big, false);
      break;
    }
    if (ec) break;
    bool keep_alive = parser.get().keep_alive();
    Request req = to_request(parser.release());
    Reply reply = impl.router.handle(req, worker.rng);
    bool again = reply.stream ? co_await write_stream(stream, reply, req, keep_alive, impl.state)
                              : co_await write_body(stream, reply, keep_alive);
    if (!again) break;
  }
  boost::system::error_code ec;
  raw_socket(stream).shutdown(tcp::socket::shutdown_send, ec);
  close_now(stream);
}

asio::awaitable<void> plain_connection(tcp::socket socket, Impl& impl, Worker& worker) {
  beast::tcp_stream stream(std::move(socket));
  co_await serve_connection(stream, impl, worker);
}

asio::awaitable<void> tls_connection(tcp::socket socket, Impl& impl, Worker& worker) {
  beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *impl.ssl);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kNoThrow);
  beast::get_lowest_layer(stream).expires_never();
  if (ec) co_return;
  co_await serve_connection(stream, impl, worker);
}

// One acceptor (on worker 0) hands connections to the workers round-robin; each connection then lives on
// its worker's loop only.
asio::awaitable<void> accept_loop(Impl& impl, tcp::acceptor& acceptor) {
  std::size_t next = 0;
  for (;;) {
    Worker& worker = *impl.workers[next++ % impl.workers.size()];
    auto [ec, socket] = co_await acceptor.async_accept(worker.ioc, kNoThrow);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {  // e.g. out of file descriptors: back off instead of spinning
      co_await sleep_for(Millis(10));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto ex = worker.ioc.get_executor();
    if (impl.ssl)
      asio::co_spawn(ex, tls_connection(std::move(socket), impl, worker), asio::detached);
    else
      asio::co_spawn(ex, plain_connection(std::move(socket), impl, worker), asio::detached);
  }
}

std::expected<void, std::string> listen(tcp::acceptor& acceptor, const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(kBacklog, ec);
  if (ec)
    return std::unexpected(fmt::format("mock: cannot listen on {}:{}: {}", endpoint.address().to_string(),
                                       endpoint.port(), ec.message()));
  return {};
}

std::expected<void, std::string> load_tls(Impl& impl) {
  const auto& o = impl.options;
  if (o.tls_cert.empty() && o.tls_key.empty()) return {};
  if (o.tls_cert.empty() || o.tls_key.empty())
    return std::unexpected("mock: --tls-cert and --tls-key go together; got only one of them");
  impl.ssl.emplace(asio::ssl::context::tls_server);
  boost::system::error_code ec;
  impl.ssl->use_certificate_chain_file(o.tls_cert, ec);
  if (ec) return std::unexpected(fmt::format("mock: --tls-cert {}: {}", o.tls_cert, ec.message()));
  impl.ssl->use_private_key_file(o.tls_key, asio::ssl::context::pem, ec);
  if (ec) return std::unexpected(fmt::format("mock: --tls-key {}: {}", o.tls_key, ec.message()));
  return {};
}

std::expected<tcp::endpoint, std::string> endpoint_for(const Options& o) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(o.host == "localhost" ? "127.0.0.1" : o.host, ec);
  if (ec)
    return std::unexpected(fmt::format("mock: --host {}: expected an IP address like 127.0.0.1", o.host));
  return tcp::endpoint(address, o.port);
}

}  // namespace

std::expected<std::unique_ptr<Server>, std::string> Server::start(const Options& options) {
  if (options.workers < 1)
    return std::unexpected(fmt::format("mock: --workers {}: expected 1 or more", options.workers));
  auto impl = std::make_unique<Impl>(options);
  if (auto tls = load_tls(*impl); !tls) return std::unexpected(tls.error());
  auto endpoint = endpoint_for(options);
  if (!endpoint) return std::unexpected(endpoint.error());
  for (int i = 0; i < options.workers; ++i) {
    impl->workers.push_back(std::make_unique<Worker>());
    impl->workers.back()->rng.seed(options.seed + static_cast<std::uint64_t>(i));
  }
  impl->acceptor.emplace(impl->workers[0]->ioc);
  if (auto ok = listen(*impl->acceptor, *endpoint); !ok) return std::unexpected(ok.error());
  impl->port = impl->acceptor->local_endpoint().port();
  asio::co_spawn(impl->workers[0]->ioc, accept_loop(*impl, *impl->acceptor), asio::detached);
  for (auto& w : impl->workers) w->thread = std::thread([&ioc = w->ioc] { ioc.run(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() {
  stop();
}

std::uint16_t Server::port() const {
  return impl_->port;
}
const std::string& Server::host() const {
  return impl_->options.host;
}
bool Server::tls() const {
  return impl_->ssl.has_value();
}

void Server::stop() {
  for (auto& w : impl_->workers) w->ioc.stop();
  for (auto& w : impl_->workers)
    if (w->thread.joinable()) w->thread.join();
  std::lock_guard lock(impl_->mutex);
  impl_->stopped = true;
  impl_->stopped_cv.notify_all();
}

void Server::wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->stopped_cv.wait(lock, [&] { return impl_->stopped; });
}

}  // namespace igw::mock
