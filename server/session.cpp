#include "server/session.hpp"

#include <array>
#include <memory_resource>

#include "server/errors.hpp"
#include "server/exchange.hpp"
#include "server/http_read.hpp"
#include "server/request_parser.hpp"
#include "server/request_id.hpp"
#include "server/router.hpp"
#include "telemetry/catalog.hpp"
#include "telemetry/log.hpp"

namespace igw::server {
namespace {

namespace lg = telemetry::log;

constexpr std::uint32_t kHeaderLimit = 64 * 1024;
constexpr std::size_t kMaxDiscard = 64u << 20;
constexpr std::size_t kRequestReadSize = 2048;

// Registers the connection for the drain and counts it.
struct Registration {
  Worker& worker;
  ClientConnection conn;
  Registration(Worker& w, AnyStream& s) : worker(w), conn{&s, true} {
    worker.connections.insert(&conn);
    worker.state.open_connections.fetch_add(1, std::memory_order_relaxed);
  }
  ~Registration() {
    worker.connections.erase(&conn);
    worker.state.open_connections.fetch_sub(1, std::memory_order_relaxed);
  }
};

// After refusing a body: stop sending, read (and drop) what the client still sends for a moment, so
// it sees the response instead of a reset.
awaitable<void> linger(AnyStream& stream, beast::flat_buffer& buffer) {
  error_code ec;
  stream.socket().shutdown(Socket::shutdown_send, ec);
  stream.expires_after(std::chrono::seconds(2));
  std::size_t total = 0;
  while (total < kMaxDiscard) {
    buffer.clear();
    auto [rec, n] = co_await stream.async_read_some(buffer.prepare(65536), as_tuple_awaitable);
    if (rec) break;
    total += n;
  }
}

// Answers a request whose body could not be read (too large, malformed): one response, then close.
awaitable<void> refuse(Worker& worker, AnyStream& stream, beast::flat_buffer& buffer,
                       RequestParser& parser, unsigned status, std::string_view code,
                       std::string message) {
  auto& req = parser.get();
  RequestContext ctx;
  ctx.request_id = choose_request_id(req["X-Request-Id"]);
  ctx.start_trace(worker.state.tracer, req[FieldId::traceparent], req[FieldId::tracestate]);
  ctx.method = std::string{req.method_string()};
  Exchange ex{worker, stream, req, ctx, false};
  ctx.path = std::string{ex.path};
  ctx.route = route_template(match_route(req.method(), ex.path));
  co_await write_error(ex, status, code, message);
  ctx.finish(worker.state.recorder);
  co_await linger(stream, buffer);
}

// Reads one request. Returns false when the connection is over (the refusal already written if any).
awaitable<bool> read_request(Worker& worker, AnyStream& stream, beast::flat_buffer& buffer,
                             RequestParser& parser, bool first) {
  const auto& limits = worker.state.limits;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(limits.max_body);
  stream.expires_after(first ? limits.read_timeout : limits.idle_timeout);
  auto hec = co_await http_read_header(stream, buffer, parser);
  if (hec == http::error::body_limit) {
    co_await refuse(worker, stream, buffer, parser, 413, errors::code::request_too_large,
                    errors::body_too_large(limits.max_body));
    co_return false;
  }
  if (hec == http::error::header_limit) {
    co_await refuse(worker, stream, buffer, parser, 431, errors::code::headers_too_large,
                    errors::header_too_large(kHeaderLimit));
    co_return false;
  }
  if (hec) co_return false;
  if (iequals(parser.get()[FieldId::expect], "100-continue")) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    if (co_await write_all(stream, asio::buffer(kContinue.data(), kContinue.size()), limits.write_timeout))
      co_return false;
  }
  // A body already in the buffer (the usual case) is parsed without a read: no new deadline for it.
  auto length = parser.content_length();
  if (!parser.is_done() && !(length && buffer.size() >= *length)) stream.expires_after(limits.read_timeout);
  auto bec = co_await http_read_message(stream, buffer, parser);
  stream.expires_never();  // handlers bound their own reads and writes
  if (bec == http::error::body_limit) {
    co_await refuse(worker, stream, buffer, parser, 413, errors::code::request_too_large,
                    errors::body_too_large(limits.max_body));
    co_return false;
  }
  co_return !bec;
}

awaitable<void> close_gracefully(AnyStream& stream) {
  if (auto* tls = stream.tls()) {
    stream.expires_after(std::chrono::seconds(1));
    co_await tls->async_shutdown(as_tuple_awaitable);
  }
  stream.close();
}

}  // namespace

awaitable<void> serve_connection(Worker& worker, Socket socket) {
  tune_socket(socket);
  // (No ?: with class temporaries in coroutines: GCC 12 destroys them twice.)
  std::optional<AnyStream> holder;
  if (worker.server_tls)
    holder.emplace(std::move(socket), *worker.server_tls);
  else
    holder.emplace(std::move(socket));
  AnyStream& stream = *holder;
  Registration reg{worker, stream};
  const auto& limits = worker.state.limits;
  if (auto* tls = stream.tls()) {
    stream.expires_after(limits.read_timeout);
    auto [ec] = co_await tls->async_handshake(ssl::stream_base::server, as_tuple_awaitable);
    if (ec) {
      stream.close();
      co_return;
    }
  }
  beast::flat_buffer buffer;
  buffer.reserve(kRequestReadSize);  // a typical chat request in one read
  for (bool first = true;; first = false) {
    if (worker.state.draining.load(std::memory_order_relaxed)) break;
    // The request's head goes into this arena: a typical one fits without an allocation.
    std::array<std::byte, 2048> arena_space;
    std::pmr::monotonic_buffer_resource arena{arena_space.data(), arena_space.size()};
    RequestParser parser{&arena};
    reg.conn.idle = true;
    bool ok = co_await read_request(worker, stream, buffer, parser, first);
    reg.conn.idle = false;
    if (!ok) break;
    Request& req = parser.get();
    RequestContext ctx;
    ctx.request_id = choose_request_id(req["X-Request-Id"]);
    ctx.start_trace(worker.state.tracer, req[FieldId::traceparent], req[FieldId::tracestate]);
  ctx.start_trace(worker.state.tracer, req[FieldId::traceparent], req[FieldId::tracestate]);
    ctx.method = std::string{req.method_string()};
    Exchange ex{worker, stream, req, ctx, req.keep_alive()};
    ctx.path = std::string{ex.path};
    bool failed = false;
    try {
      co_await dispatch(ex);
    } catch (const std::exception& e) {
      lg::error(lg::logger::http, "request failed",
                {{lg::field::request_id, ctx.request_id}, {lg::field::error, e.what()},
                 lg::Field::optional(lg::field::trace_id, ctx.trace.trace_hex),
                 lg::Field::optional(lg::field::span_id, ctx.trace.span_hex)});
      ctx.internal_error = telemetry::internal_error::handler;
      failed = true;
    }
    if (failed) {  // (no co_await inside a handler) a 500 when nothing was written yet, then close
      ex.keep_alive = false;
      if (ctx.status == 0)
        (void)co_await write_error(ex, 500, errors::code::internal_error,
                                   "Internal error; the request id in X-Request-Id names it in the gateway's log.");
      if (ctx.status == 0) ctx.status = 500;
    }
    ctx.finish(worker.state.recorder);
    if (!ex.keep_alive) break;
  }
  co_await close_gracefully(stream);
}

}  // namespace igw::server
