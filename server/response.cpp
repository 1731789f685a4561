// Writing responses to the client.
#include <sys/socket.h>

#include "server/errors.hpp"
#include "server/exchange.hpp"

namespace igw::server {
namespace {

template <class Body>
void common_headers(Exchange& ex, http::response<Body>& res) {
  res.set(http::field::server, "igw");
  res.set("X-Request-Id", ex.ctx.request_id);
  res.keep_alive(ex.keep_alive && !ex.state().draining.load(std::memory_order_relaxed));
  if (!res.keep_alive()) ex.keep_alive = false;
}

}  // namespace

awaitable<bool> write_body(Exchange& ex, unsigned status, std::string_view content_type, std::string body) {
  http::response<http::string_body> res{static_cast<http::status>(status), ex.req.version()};
  common_headers(ex, res);
  res.set(http::field::content_type, content_type);
  ex.ctx.status = static_cast<int>(status);
  ex.ctx.bytes_out += body.size();
  res.body() = std::move(body);
  res.prepare_payload();
  ex.stream.tcp().expires_after(ex.state().limits.write_timeout);
  auto [ec, n] = co_await http::async_write(ex.stream, res, as_tuple_awaitable);
  (void)n;
  if (ec) {
    ex.keep_alive = false;
    co_return false;
  }
  co_return true;
}

awaitable<bool> write_json(Exchange& ex, unsigned status, std::string body) {
  return write_body(ex, status, "application/json", std::move(body));
}

awaitable<bool> write_error(Exchange& ex, unsigned status, std::string_view message) {
  return write_json(ex, status, errors::body(message));
}

awaitable<bool> write_stream_header(Exchange& ex, unsigned status, std::string_view content_type) {
  http::response<http::empty_body> res{static_cast<http::status>(status), ex.req.version()};
  common_headers(ex, res);
  res.set(http::field::content_type,
          content_type.empty() ? std::string_view{"text/event-stream"} : content_type);
  res.set(http::field::cache_control, "no-cache");
  res.set("X-Accel-Buffering", "no");
  res.chunked(true);
  ex.ctx.status = static_cast<int>(status);
  http::response_serializer<http::empty_body> sr{res};
  ex.stream.tcp().expires_after(ex.state().limits.write_timeout);
  auto [ec, n] = co_await http::async_write_header(ex.stream, sr, as_tuple_awaitable);
  (void)n;
  if (ec) ex.keep_alive = false;
  co_return !ec;
}

awaitable<bool> write_chunk(Exchange& ex, std::string_view data) {
  if (data.empty()) co_return true;
  ex.stream.tcp().expires_after(ex.state().limits.write_timeout);
  auto [ec, n] = co_await asio::async_write(
      ex.stream, http::make_chunk(asio::buffer(data.data(), data.size())), as_tuple_awaitable);
  (void)n;
  if (ec) {
    ex.keep_alive = false;
    co_return false;
  }
  ex.ctx.bytes_out += data.size();
  co_return true;
}

awaitable<bool> write_last_chunk(Exchange& ex) {
  ex.stream.tcp().expires_after(ex.state().limits.write_timeout);
  auto [ec, n] = co_await asio::async_write(ex.stream, http::make_chunk_last(), as_tuple_awaitable);
  (void)n;
  if (ec) ex.keep_alive = false;
  co_return !ec;
}

awaitable<void> wait_client_gone(AnyStream& stream) {
  auto& sock = stream.socket();
  auto [ec] = co_await sock.async_wait(tcp::socket::wait_read, as_tuple_awaitable);
  if (ec) co_return;  // closed under us, or cancelled because the other side of || finished
  char byte;
  ssize_t n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) co_return;
  // Bytes from a client mid-response (a pipelined request, a TLS record): not a disconnect. Wait to be
  // cancelled.
  asio::steady_timer forever{co_await asio::this_coro::executor, asio::steady_timer::time_point::max()};
  co_await forever.async_wait(as_tuple_awaitable);
}

}  // namespace igw::server
