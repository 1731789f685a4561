#include "server/relay.hpp"

#include <array>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "server/ascii.hpp"
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

}  // namespace

void note_upstream_failure(Exchange& ex, const UpstreamFailure& f) {
  ex.ctx.upstream_error_reason = f.reason;
  ex.ctx.end_upstream_span();
  lg::warn(lg::logger::proxy, "upstream call failed",
           {{lg::field::provider, ex.ctx.provider},
            {lg::field::request_id, ex.ctx.request_id}, lg::Field::optional(lg::field::trace_id, ex.ctx.trace.trace_hex),
             lg::Field::optional(lg::field::span_id, ex.ctx.trace.span_hex),
            {lg::field::error, f.message}});
}

namespace {

bool is_event_stream(std::string_view content_type) {
  return content_type.starts_with("text/event-stream");
}

// application/json or a +json type, parameters aside.
bool is_json(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return iequals(type, "application/json") ||
         (type.size() > 5 && iequals(type.substr(type.size() - 5), "+json"));
}

void note_observed(Exchange& ex, const ResponseObserver& observer) {
  ex.ctx.usage = observer.usage();
  ex.ctx.tool_calls = observer.tool_calls();
  if (ex.ctx.model.empty()) ex.ctx.model = observer.model();
}

// Forwards whole events; returns false when the stream must stop (client gone or upstream broken).
struct SseRelay {
  Exchange& ex;
  UpstreamCall& call;
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
      observer.observe_chunk(data);
    }
    splitter.compact();
  }

  awaitable<void> run() {
    std::array<char, kReadChunk> buf;
    for (;;) {
      auto n = co_await call.read_some(buf.data(), buf.size(), ex.ctx.upstream_wait);
      if (!n) {
        if (ex.ctx.client_disconnected) co_return;
        note_upstream_failure(ex, n.error());
        out.clear();
        // In the stream's own dialect: Anthropic clients read an `error` event, OpenAI ones an error object.
        std::string event;  // (no ?: with class temporaries in coroutines: GCC 12 destroys them twice)
        if (observer.shape() == AnswerShape::anthropic_messages)
          event = errors::anthropic_sse_event(n.error().message);
        else
          event = errors::sse_event(errors::upstream_code(n.error().reason), n.error().message);
        (void)co_await write_chunk(ex, event);
        ex.keep_alive = false;
        co_return;
      }
      if (*n == 0) {
        ex.ctx.end_upstream_span();
        break;
      }
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
  note_upstream_failure(ex, failure);
  co_await write_error(ex, static_cast<unsigned>(failure.status), errors::upstream_code(failure.reason),
                       failure.message);
}

awaitable<std::optional<UpstreamFailure>> start_upstream(Exchange& ex, UpstreamCall& call, UpstreamRequest& req) {
  const auto& url = call.provider().url;
  if (auto traceparent = ex.ctx.start_upstream_span(url.host, url.port); !traceparent.empty()) {
    req.set("traceparent", traceparent);
    if (ex.ctx.trace.trace_state.empty()) req.erase("tracestate");
    else req.set("tracestate", ex.ctx.trace.trace_state);
  }
  std::optional<UpstreamFailure> failure;
  {
    WaitTimer t{ex.ctx.upstream_wait};
    failure = co_await call.send(req);
  }
  if (!failure) {
    ex.ctx.trace.upstream_status = call.status();
    co_return std::nullopt;
  }
  note_upstream_failure(ex, *failure);
  co_return failure;
}

awaitable<bool> send_upstream(Exchange& ex, UpstreamCall& call, UpstreamRequest& req) {
  auto failure = co_await start_upstream(ex, call, req);
  if (!failure) co_return true;
  co_await write_error(ex, static_cast<unsigned>(failure->status), errors::upstream_code(failure->reason),
                       failure->message);
  co_return false;
}

awaitable<bool> read_upstream_body(Exchange& ex, UpstreamCall& call, std::string& body) {
  std::expected<std::string, UpstreamFailure> read;
  {
    WaitTimer t{ex.ctx.upstream_wait};
    read = co_await call.read_all();
  }
  ex.ctx.end_upstream_span();
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
  note_observed(ex, observer);
  if (content_type.empty()) content_type = "application/json";
  co_await write_body(ex, status, content_type, std::move(body));
}

awaitable<void> relay_sse(Exchange& ex, UpstreamCall& call, AnswerShape shape) {
  if (call.status() >= 400) {
    co_await relay_upstream_error(ex, call);
    co_return;
  }
  if (!co_await write_stream_header(ex, call.status())) co_return;
  SseRelay relay{ex, call, {}, ResponseObserver{shape}, {}, {}};
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
               {{lg::field::provider, ex.ctx.provider}, {lg::field::request_id, ex.ctx.request_id}, lg::Field::optional(lg::field::trace_id, ex.ctx.trace.trace_hex),
             lg::Field::optional(lg::field::span_id, ex.ctx.trace.span_hex),
                {lg::field::error, e.what()}});
      ex.ctx.internal_error = telemetry::internal_error::relay;
      ex.keep_alive = false;
    }
  };
  co_await (guarded() || watch());
  note_observed(ex, relay.observer);
  if (ex.ctx.client_disconnected)
    lg::info(lg::logger::proxy, "client disconnected mid-stream; upstream closed",
             {{lg::field::provider, ex.ctx.provider}, {lg::field::request_id, ex.ctx.request_id}, lg::Field::optional(lg::field::trace_id, ex.ctx.trace.trace_hex),
             lg::Field::optional(lg::field::span_id, ex.ctx.trace.span_hex)});
}

awaitable<void> relay_verbatim(Exchange& ex, UpstreamCall& call, AnswerShape shape) {
  std::string content_type{call.content_type()};
  bool stream = is_event_stream(content_type) || call.unknown_length();
  if (is_event_stream(content_type) && call.status() < 400) {
    co_await relay_sse(ex, call, shape);
    co_return;
  }
  if (call.status() >= 400) ex.ctx.upstream_error_reason = status_reason(call.status());
  ResponseObserver observer{call.status() < 400 && is_json(content_type) ? shape : AnswerShape::none};
  if (!stream) {
    std::string body;
    if (!co_await read_upstream_body(ex, call, body)) co_return;
    observer.observe_body(body);
    note_observed(ex, observer);
    co_await write_body(ex, call.status(), content_type, std::move(body));
    co_return;
  }
  if (!co_await write_stream_header(ex, call.status(), content_type)) co_return;
  // A JSON answer sent chunked is observed once whole: a copy is kept, up to a bound.
  std::string copy;
  bool keep = observer.shape() != AnswerShape::none;
  std::array<char, kReadChunk> buf;
  for (;;) {
    auto n = co_await call.read_some(buf.data(), buf.size(), ex.ctx.upstream_wait);
    if (!n) {
      note_upstream_failure(ex, n.error());
      ex.keep_alive = false;
      co_return;
    }
    if (*n == 0) break;
    if (keep && copy.size() + *n <= kMaxObservedBody) {
      copy.append(buf.data(), *n);
    } else if (keep) {
      keep = false;
      std::string{}.swap(copy);
      lg::warn(lg::logger::proxy, "JSON answer too large to read its usage; tokens not counted",
               {{lg::field::provider, ex.ctx.provider},
                {lg::field::request_id, ex.ctx.request_id}, lg::Field::optional(lg::field::trace_id, ex.ctx.trace.trace_hex),
             lg::Field::optional(lg::field::span_id, ex.ctx.trace.span_hex)});
    }
    if (!co_await write_chunk(ex, {buf.data(), *n})) co_return;
  }
  if (keep) {
    observer.observe_body(copy);
    note_observed(ex, observer);
  }
  (void)co_await write_last_chunk(ex);
  call.release();
}

}  // namespace igw::server
