#include "server/relay.hpp"

#include <array>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "server/errors.hpp"
#include "server/sse.hpp"
#include "telemetry/catalog.hpp"
#include "telemetry/log.hpp"

namespace igw::server {
namespace {

namespace lg = telemetry::log;
using namespace asio::experimental::awaitable_operators;

constexpr std::size_t kReadChunk = 4096;  // held by every open stream: events are small

std::string_view status_reason(unsigned status) {
  return status >= 500 ? reason::status_5xx : reason::status_4xx;
}

void note_failure(Exchange& ex, const UpstreamFailure& f) {
  ex.ctx.upstream_error_reason = f.reason;
  lg::warn(lg::logger::proxy, "upstream call failed",
           {{lg::field::provider, ex.ctx.provider},
            {lg::field::request_id, ex.ctx.request_id},
            {lg::field::error, f.message}});
}

bool is_event_stream(std::string_view content_type) {
  return content_type.starts_with("text/event-stream");
}

// Forwards whole events; returns false when the stream must stop (client gone or upstream broken).
struct SseRelay {
  Exchange& ex;
  UpstreamCall& call;
  bool observe;
  SseSplitter splitter;
  ResponseObserver observer;
  std::string out;
  std::string scratch;    // an event's data lines, when there are several
  bool complete = false;  // the whole stream reached the client: a close now is not a disconnect

  void take_events() {
    while (auto ev = splitter.next_event()) {
      out.append(*ev);
      std::string_view data = event_data(*ev, scratch);
      if (data.empty() || is_done_event(data)) continue;
      if (!ex.ctx.first_token) ex.ctx.first_token = Clock::now();
      if (observe) observer.observe_chunk(data);
    }
    splitter.compact();
  }

  awaitable<void> run() {
    std::array<char, kReadChunk> buf;
    for (;;) {
      auto n = co_await call.read_some(buf.data(), buf.size(), ex.ctx.upstream_wait);
      if (!n) {
        if (ex.ctx.client_disconnected) co_return;
        note_failure(ex, n.error());
        out.clear();
        (void)co_await write_chunk(ex, errors::sse_event(errors::upstream_code(n.error().reason), n.error().message));
        ex.keep_alive = false;
        co_return;
      }
      if (*n == 0) break;
      splitter.feed({buf.data(), *n});
      take_events();
      if (!out.empty() && !co_await write_chunk(ex, out)) co_return;
      out.clear();
    }
    // A last event without its blank line still goes out.
    if (splitter.pending_bytes() > 0) {
      splitter.feed("\n\n");
      take_events();
      (void)co_await write_chunk(ex, out);
    }
    complete = co_await write_last_chunk(ex);
    call.release();
  }
};

}  // namespace

awaitable<void> respond_failure(Exchange& ex, const UpstreamFailure& failure) {
  note_failure(ex, failure);
  co_await write_error(ex, static_cast<unsigned>(failure.status), errors::upstream_code(failure.reason),
                       failure.message);
}

awaitable<bool> send_upstream(Exchange& ex, UpstreamCall& call, UpstreamRequest& req) {
  std::optional<UpstreamFailure> failure;
  {
    WaitTimer t{ex.ctx.upstream_wait};
    failure = co_await call.send(req);
  }
  if (!failure) co_return true;
  co_await respond_failure(ex, *failure);
  co_return false;
}

awaitable<bool> read_upstream_body(Exchange& ex, UpstreamCall& call, std::string& body) {
  std::expected<std::string, UpstreamFailure> read;
  {
    WaitTimer t{ex.ctx.upstream_wait};
    read = co_await call.read_all();
  }
  if (!read) {
    co_await respond_failure(ex, read.error());
    co_return false;
  }
  body = std::move(*read);
  call.release();
  co_return true;
}

awaitable<void> relay_upstream_error(Exchange& ex, UpstreamCall& call) {
  unsigned status = call.status();
  std::string body;
  if (!co_await read_upstream_body(ex, call, body)) co_return;
  ex.ctx.upstream_error_reason = status_reason(status);
  co_await write_json(ex, status, errors::upstream_error_body(status, body));
}

awaitable<void> relay_json(Exchange& ex, UpstreamCall& call) {
  if (call.status() >= 400) {
    co_await relay_upstream_error(ex, call);
    co_return;
  }
  unsigned status = call.status();
  std::string content_type{call.content_type()};
  std::string body;
  if (!co_await read_upstream_body(ex, call, body)) co_return;
  ResponseObserver observer;
  observer.observe_body(body);
  ex.ctx.usage = observer.usage();
  ex.ctx.tool_calls = observer.tool_calls();
  if (content_type.empty()) content_type = "application/json";
  co_await write_body(ex, status, content_type, std::move(body));
}

awaitable<void> relay_sse(Exchange& ex, UpstreamCall& call, bool observe) {
  if (call.status() >= 400) {
    co_await relay_upstream_error(ex, call);
    co_return;
  }
  if (!co_await write_stream_header(ex, call.status())) co_return;
  SseRelay relay{ex, call, observe, {}, {}, {}, {}};
  auto watch = [&]() -> awaitable<void> {
    if (!co_await wait_client_gone(ex.stream) || relay.complete) co_return;
    ex.ctx.client_disconnected = true;
    ex.keep_alive = false;
    call.abort();  // the upstream connection closes now, not at its next event
  };
  auto guarded = [&]() -> awaitable<void> {
    try {
      co_await relay.run();
    } catch (const std::exception& e) {
      lg::warn(lg::logger::proxy, "stream relay failed; stream cut",
               {{lg::field::provider, ex.ctx.provider}, {lg::field::request_id, ex.ctx.request_id},
                {lg::field::error, e.what()}});
      ex.ctx.internal_error = telemetry::internal_error::relay;
      ex.keep_alive = false;
    }
  };
  co_await (guarded() || watch());
  ex.ctx.usage = relay.observer.usage();
  ex.ctx.tool_calls = relay.observer.tool_calls();
  if (ex.ctx.client_disconnected)
    lg::info(lg::logger::proxy, "client disconnected mid-stream; upstream closed",
             {{lg::field::provider, ex.ctx.provider}, {lg::field::request_id, ex.ctx.request_id}});
}

awaitable<void> relay_verbatim(Exchange& ex, UpstreamCall& call) {
  std::string content_type{call.content_type()};
  bool stream = is_event_stream(content_type) || call.unknown_length();
  if (is_event_stream(content_type) && call.status() < 400) {
    co_await relay_sse(ex, call, false);
    co_return;
  }
  if (!stream) {
    std::string body;
    if (!co_await read_upstream_body(ex, call, body)) co_return;
    if (call.status() >= 400) ex.ctx.upstream_error_reason = status_reason(call.status());
    {
      co_await write_body(ex, call.status(), content_type, std::move(body));
      co_return;
    }
  }
  if (call.status() >= 400) ex.ctx.upstream_error_reason = status_reason(call.status());
  if (!co_await write_stream_header(ex, call.status(), content_type)) co_return;
  std::array<char, kReadChunk> buf;
  for (;;) {
    auto n = co_await call.read_some(buf.data(), buf.size(), ex.ctx.upstream_wait);
    if (!n) {
      note_failure(ex, n.error());
      ex.keep_alive = false;
      co_return;
    }
    if (*n == 0) break;
    if (!co_await write_chunk(ex, {buf.data(), *n})) co_return;
  }
  (void)co_await write_last_chunk(ex);
  call.release();
}

}  // namespace igw::server
