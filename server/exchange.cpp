#include "server/exchange.hpp"

#include <sys/socket.h>

#include <array>
#include <optional>

#include "server/errors.hpp"
#include "server/wire.hpp"

namespace igw::server {
namespace {

wire::ResponseHead head_for(Exchange& ex, unsigned status, std::string_view content_type) {
  if (ex.state().draining.load(std::memory_order_relaxed)) ex.keep_alive = false;
  return {.status = status,
          .version = ex.req.version(),
          .keep_alive = ex.keep_alive,
          .request_id = ex.ctx.request_id,
          .content_type = content_type,
          .chunked = false,
          .content_length = std::nullopt,
          .event_stream_headers = false,
          .extra_fields = ex.extra_fields};
}

// Client writes count as client wait. The usual case, the kernel taking everything at once, is done here
// without a coroutine frame: true when all went out, false when the client is gone, nullopt when the rest
// (after `done` bytes) must be sent with send_rest.
template <class Buffers>
std::optional<bool> send_now(Exchange& ex, const Buffers& buffers, std::size_t& done) {
  WaitTimer t{ex.ctx.client_wait};
  error_code ec;
  done = write_now(ex.stream, buffers, ec);
  if (ec) {
    ex.keep_alive = false;
    return false;
  }
  if (done == asio::buffer_size(buffers)) return true;
  return std::nullopt;
}

template <class Buffers>
awaitable<bool> send_rest(Exchange& ex, const Buffers& buffers, std::size_t done) {
  error_code ec;
  {
    WaitTimer t{ex.ctx.client_wait};
    ec = co_await write_rest(ex.stream, buffers, done, ex.state().limits.write_timeout);
  }
  if (ec) {
    ex.keep_alive = false;
    co_return false;
  }
  co_return true;
}

template <class Buffers>
awaitable<bool> send(Exchange& ex, const Buffers& buffers) {
  std::size_t done = 0;
  if (auto now = send_now(ex, buffers, done)) co_return *now;
  co_return co_await send_rest(ex, buffers, done);
}

}  // namespace

awaitable<bool> write_body(Exchange& ex, unsigned status, std::string_view content_type, std::string body) {
  auto head = head_for(ex, status, content_type);
  head.content_length = body.size();
  std::string text;
  text.reserve(256);
  wire::append_response_head(text, head);
  ex.ctx.status = static_cast<int>(status);
  // A HEAD response announces the length a GET would get and carries no content (RFC 9110 9.3.2).
  if (ex.req.method() == Method::head) co_return co_await send(ex, asio::buffer(text));
  ex.ctx.bytes_out += body.size();
  std::array<asio::const_buffer, 2> buffers{asio::buffer(text), asio::buffer(body)};
  co_return co_await send(ex, buffers);
}

awaitable<bool> write_json(Exchange& ex, unsigned status, std::string body) {
  return write_body(ex, status, "application/json", std::move(body));
}

awaitable<bool> write_error(Exchange& ex, unsigned status, std::string_view code, std::string_view message) {
  return write_json(ex, status, errors::body(status, code, message));
}

awaitable<bool> write_openai_error(Exchange& ex, unsigned status, std::string_view message, std::string_view type,
                                   std::string_view code) {
  return write_json(ex, status, errors::openai_body(message, type, code));
}

awaitable<bool> write_stream_header(Exchange& ex, unsigned status, std::string_view content_type) {
  auto head = head_for(ex, status, content_type.empty() ? std::string_view{"text/event-stream"} : content_type);
  head.event_stream_headers = true;
  if (ex.req.version() == 10) {
    // HTTP/1.0 has no chunked encoding: the body runs until the connection closes.
    ex.keep_alive = head.keep_alive = false;
    ex.close_delimited = true;
  } else {
    head.chunked = true;
  }
  std::string text;
  text.reserve(256);
  wire::append_response_head(text, head);
  ex.ctx.status = static_cast<int>(status);
  co_return co_await send(ex, asio::buffer(text));
}

awaitable<bool> write_chunk(Exchange& ex, std::string_view data) {
  if (data.empty()) co_return true;
  bool ok;
  if (ex.close_delimited) {
    ok = co_await send(ex, asio::buffer(data.data(), data.size()));
  } else {
    std::array<char, 20> size_line;
    std::array<asio::const_buffer, 3> buffers{asio::buffer(wire::chunk_size_line(size_line, data.size())),
                                              asio::buffer(data.data(), data.size()),
                                              asio::buffer(wire::kCrlf.data(), wire::kCrlf.size())};
    // The hot path of a stream: one frame (this one) when the socket takes the chunk at once.
    std::size_t done = 0;
    auto now = send_now(ex, buffers, done);
    if (now)
      ok = *now;
    else
      ok = co_await send_rest(ex, buffers, done);
  }
  if (ok) ex.ctx.bytes_out += data.size();
  co_return ok;
}

awaitable<bool> write_last_chunk(Exchange& ex) {
  if (ex.close_delimited) co_return true;
  co_return co_await send(ex, asio::buffer(wire::kLastChunk.data(), wire::kLastChunk.size()));
}

awaitable<bool> wait_client_gone(AnyStream& stream) {
  auto& sock = stream.socket();
  auto [ec] = co_await sock.async_wait(Socket::wait_read, as_tuple_awaitable);
  // Cancelled because the other side of || finished, or the socket closed under us: not the client's doing.
  if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) co_return false;
  if (ec) co_return true;
  char byte;
  ssize_t n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) co_return true;
  // Bytes from a client mid-response (a pipelined request, a TLS record): not a disconnect. Wait to be
  // cancelled.
  Timer forever{co_await asio::this_coro::executor, Timer::time_point::max()};
  co_await forever.async_wait(as_tuple_awaitable);
  co_return false;
}

}  // namespace igw::server
