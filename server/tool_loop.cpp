#include "server/tool_loop.hpp"

#include <nlohmann/json.hpp>

#include "server/ascii.hpp"
#include "server/errors.hpp"
#include "server/relay.hpp"
#include "server/sse.hpp"
#include "server/tools/registry.hpp"
#include "telemetry/catalog.hpp"
#include "telemetry/log.hpp"

namespace igw::server {
namespace {

namespace lg = telemetry::log;
using Json = nlohmann::ordered_json;  // keeps the client's key order in what goes upstream

constexpr std::size_t kReadChunk = 4096;

// One tool call of the model, as the round returned it.
struct Call {
  std::string id, name, arguments;
};

// How a round ended.
struct Round {
  bool done = true;   // the response was written (or the client is gone): the loop ends
  Json assistant;     // the assistant message that called the gateway's tools
  std::vector<Call> calls;
};

bool all_ours(const std::vector<ToolCall>& calls, const tools::ToolCatalog& catalog) {
  if (calls.empty()) return false;
  for (const auto& c : calls)
    if (!catalog.find(c.name)) return false;
  return true;
}

// The calls returned to the client are counted as function calls (the gateway's own are counted when run).
std::vector<ToolCall> client_calls(const std::vector<ToolCall>& calls, const tools::ToolCatalog& catalog) {
  std::vector<ToolCall> out;
  for (const auto& c : calls)
    if (!catalog.find(c.name)) out.push_back(c);
  return out;
}

void add_usage(Usage& total, const Usage& round) {
  if (!round.present) return;
  total.present = true;
  total.prompt_tokens += round.prompt_tokens;
  total.completion_tokens += round.completion_tokens;
  total.total_tokens += round.total_tokens;
}

// A usage object's counts replaced by the loop's totals (other members kept).
void set_usage(Json& usage, const Usage& total) {
  if (!usage.is_object()) return;
  usage["prompt_tokens"] = total.prompt_tokens;
  usage["completion_tokens"] = total.completion_tokens;
  usage["total_tokens"] = total.total_tokens;
}

Json assistant_message(std::string_view content, const std::vector<ToolCall>& calls) {
  Json m{{"role", "assistant"}};
  m["content"] = content.empty() ? Json(nullptr) : Json(content);
  Json list = Json::array();
  for (const auto& c : calls)
    list.push_back({{"id", c.id}, {"type", "function"}, {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
  m["tool_calls"] = std::move(list);
  return m;
}

// (built outside the coroutines: GCC 12 mishandles initializer lists in them)
Json tool_message(const std::string& id, std::string text) {
  return Json{{"role", "tool"}, {"tool_call_id", id}, {"content", std::move(text)}};
}

// Splits a stream event's data into what goes to the client at once (`now`) and what waits for the end of
// its round (`later`): tool-call deltas, the finish event and the usage event (no choices) wait; content goes
// now, even from an event that also carries tool calls (then split in two). Either may come back empty. The
// delta's content is appended to `content`.
void split_event(std::string_view data, std::string& content, std::string& now, std::string& later) {
  now.clear();
  later.clear();
  auto chunk = Json::parse(data, nullptr, false);
  if (!chunk.is_object() || !chunk.contains("choices") || !chunk["choices"].is_array() || chunk["choices"].empty() ||
      !chunk["choices"][0].is_object()) {
    later = data;
    return;
  }
  auto& choice = chunk["choices"][0];
  const bool finish = choice.contains("finish_reason") && !choice["finish_reason"].is_null();
  auto delta = choice.find("delta");
  if (delta == choice.end() || !delta->is_object()) {
    (finish ? later : now) = data;
    return;
  }
  std::string text;
  if (auto c = delta->find("content"); c != delta->end() && c->is_string()) text = c->get<std::string>();
  content += text;
  if (!finish && !delta->contains("tool_calls")) {
    now = data;
    return;
  }
  if (text.empty()) {
    later = data;
    return;
  }
  Json first = chunk;  // the content, alone
  first["choices"][0]["delta"].erase("tool_calls");
  if (finish) first["choices"][0]["finish_reason"] = nullptr;
  now = first.dump();
  delta->erase("content");  // the rest, without the content already sent
  later = chunk.dump();
}

std::vector<Call> calls_of(const std::vector<ToolCall>& calls) {
  std::vector<Call> out;
  for (const auto& c : calls) out.push_back({c.id, c.name, c.arguments});
  return out;
}

class ToolLoop {
 public:
  ToolLoop(Exchange& ex, const ProviderRuntime& p, UpstreamRequest& req, bool stream,
           std::shared_ptr<const tools::ToolCatalog> catalog)
      : ex_(ex), provider_(p), req_(req), stream_(stream), catalog_(std::move(catalog)) {}

  awaitable<void> run() {
    Json body = Json::parse(req_.body(), nullptr, false);
    if (!body.is_object() || !body.contains("messages") || !body["messages"].is_array()) {
      co_await write_error(ex_, 400, errors::code::invalid_json, errors::decode_failed());
      co_return;
    }
    offer_tools(body);
    const std::int64_t max_calls = std::max<std::int64_t>(1, ex_.state().tool_max_iterations);  // (checked at start-up)
    for (std::int64_t n = 1;; ++n) {
      req_.body() = body.dump();
      Round r;
      if (stream_)
        r = co_await stream_round(n);
      else
        r = co_await json_round(n);
      if (r.done) co_return;
      if (n >= max_calls) {
        co_await fail_limit(n);
        co_return;
      }
      body["messages"].push_back(std::move(r.assistant));
      for (const auto& call : r.calls) body["messages"].push_back(co_await execute(call));
    }
  }

 private:
  // The catalog's tools join the client's (a client function with the same name keeps its own).
  void offer_tools(Json& body) {
    Json& list = body["tools"];
    if (!list.is_array()) list = Json::array();
    const auto& mine = ex_.ctx.offered_tools;
    Json extra = Json::parse("[" + catalog_->openai_tools() + "]");
    for (auto& t : extra) {
      const auto name = t["function"]["name"].get<std::string>();
      if (std::find(mine.begin(), mine.end(), name) == mine.end()) list.push_back(std::move(t));
    }
  }

  // The last round's answer goes to the client: usage as the loop's totals, the client's calls counted.
  void note_final(const std::vector<ToolCall>& calls) {
    ex_.ctx.usage = total_;
    ex_.ctx.tool_calls = client_calls(calls, *catalog_);
  }

  awaitable<Round> json_round(std::int64_t n) {
    Round done;
    UpstreamCall call{ex_.worker.pool, ex_.state(), provider_, false};
    if (!co_await send_upstream(ex_, call, req_)) co_return done;
    if (call.status() >= 400) {
      co_await relay_upstream_error(ex_, call);
      co_return done;
    }
    const unsigned status = call.status();
    std::string content_type{call.content_type()};
    std::string text;
    if (!co_await read_upstream_body(ex_, call, text)) co_return done;
    ResponseObserver observer;
    observer.observe_body(text);
    add_usage(total_, observer.usage());
    ex_.ctx.end_upstream_round(observer.usage());
    if (!all_ours(observer.tool_calls(), *catalog_)) {
      note_final(observer.tool_calls());
      if (n > 1 && total_.present) {  // the client is told what the whole loop used
        Json doc = Json::parse(text, nullptr, false);
        if (doc.is_object() && doc.contains("usage")) {
          set_usage(doc["usage"], total_);
          text = doc.dump();
        }
      }
      if (content_type.empty()) content_type = "application/json";
      co_await write_body(ex_, status, content_type, std::move(text));
      co_return done;
    }
    Json doc = Json::parse(text, nullptr, false);
    Round r;
    r.done = false;
    std::string content;
    if (doc.is_object() && doc.contains("choices") && doc["choices"].is_array() && !doc["choices"].empty()) {
      const auto& message = doc["choices"][0]["message"];
      if (message.is_object() && message.contains("content") && message["content"].is_string())
        content = message["content"].get<std::string>();
    }
    r.assistant = assistant_message(content, observer.tool_calls());
    r.calls = calls_of(observer.tool_calls());
    co_return r;
  }

  // Writes an SSE error event (the stream's header is out) and ends the stream.
  awaitable<void> stream_error(std::string_view code, std::string_view message) {
    (void)co_await write_chunk(ex_, errors::sse_event(code, message));
    (void)co_await write_last_chunk(ex_);
  }

  awaitable<Round> stream_round(std::int64_t n) {
    Round done;
    UpstreamCall call{ex_.worker.pool, ex_.state(), provider_, true};
    if (!header_sent_) {
      if (!co_await send_upstream(ex_, call, req_)) co_return done;
      if (call.status() >= 400) {
        co_await relay_upstream_error(ex_, call);
        co_return done;
      }
      if (!co_await write_stream_header(ex_, call.status())) co_return done;
      header_sent_ = true;
    } else {
      if (auto failure = co_await start_upstream(ex_, call, req_)) {
        co_await stream_error(errors::upstream_code(failure->reason), failure->message);
        ex_.keep_alive = false;
        co_return done;
      }
      if (call.status() >= 400) {
        std::string text;
        auto read = co_await call.read_all();
        ex_.ctx.end_upstream_span();
        ex_.ctx.upstream_error_reason = call.status() >= 500 ? reason::status_5xx : reason::status_4xx;
        if (read) text = std::move(*read);
        co_await stream_error(errors::upstream_code(ex_.ctx.upstream_error_reason),
                              "the provider answered " + std::to_string(call.status()) + ": " + text.substr(0, 500));
        co_return done;
      }
    }
    SseSplitter splitter;
    ResponseObserver observer;
    std::string out, scratch, content, now, later;
    std::vector<std::string> held;  // data of events held back until the round's calls are known
    std::array<char, kReadChunk> buf;
    bool ended = false;
    while (!ended) {
      auto got = co_await call.read_some(buf.data(), buf.size(), ex_.ctx.upstream_wait);
      if (!got) {
        if (ex_.ctx.client_disconnected) co_return done;
        note_upstream_failure(ex_, got.error());
        co_await stream_error(errors::upstream_code(got.error().reason), got.error().message);
        ex_.keep_alive = false;
        co_return done;
      }
      if (*got == 0) {
        splitter.feed("\n\n");  // a last event without its blank line counts too
        ended = true;
      } else {
        splitter.feed({buf.data(), *got});
      }
      while (auto ev = splitter.next_event()) {
        std::string_view data = event_data(*ev, scratch);
        if (data.empty()) continue;
        if (is_done_event(data)) continue;  // one [DONE], at the very end
        observer.observe_chunk(data);
        split_event(data, content, now, later);
        if (!later.empty()) held.push_back(later);
        if (now.empty()) continue;
        if (!ex_.ctx.first_token) ex_.ctx.first_token = Clock::now();
        out.append("data: ").append(now).append("\n\n");
      }
      splitter.compact();
      if (!out.empty() && !co_await write_chunk(ex_, out)) {
        gone(call);
        co_return done;
      }
      out.clear();
    }
    ex_.ctx.end_upstream_span();
    call.release();
    add_usage(total_, observer.usage());
    ex_.ctx.end_upstream_round(observer.usage());
    if (all_ours(observer.tool_calls(), *catalog_)) {
      Round r;
      r.done = false;
      r.assistant = assistant_message(content, observer.tool_calls());
      r.calls = calls_of(observer.tool_calls());
      co_return r;
    }
    // The last round: what was held goes out (usage as the loop's totals), then the one [DONE].
    note_final(observer.tool_calls());
    for (auto& data : held) {
      if (n > 1 && total_.present) {
        auto chunk = Json::parse(data, nullptr, false);
        if (chunk.is_object() && chunk.contains("usage") && chunk["usage"].is_object()) {
          set_usage(chunk["usage"], total_);
          data = chunk.dump();
        }
      }
      out.append("data: ").append(data).append("\n\n");
    }
    out.append("data: [DONE]\n\n");
    if (!co_await write_chunk(ex_, out)) {
      gone(call);
      co_return done;
    }
    (void)co_await write_last_chunk(ex_);
    co_return done;
  }

  void gone(UpstreamCall& call) {
    ex_.ctx.client_disconnected = true;
    ex_.keep_alive = false;
    call.abort();
  }

  awaitable<void> fail_limit(std::int64_t n) {
    note_final({});
    lg::warn(lg::logger::mcp_client, "tool loop stopped: the model kept calling tools",
             {{lg::field::request_id, ex_.ctx.request_id}, {"model_calls", n},
              lg::Field::optional(lg::field::trace_id, ex_.ctx.trace.trace_hex),
              lg::Field::optional(lg::field::span_id, ex_.ctx.trace.span_hex)});
    const auto message = errors::tool_loop_limit(n);
    if (header_sent_)
      co_await stream_error(errors::code::tool_loop_limit, message);
    else
      co_await write_error(ex_, 502, errors::code::tool_loop_limit, message);
  }

  // Runs one call of the gateway's tools; the tool message for the model.
  awaitable<Json> execute(const Call& call) {
    const tools::Tool* tool = catalog_->find(call.name);
    const auto& source = catalog_->sources[tool->source];
    const auto kind = tools::to_string(tool->kind);
    auto span = ex_.ctx.start_tool_span();
    const auto t0 = Clock::now();
    tools::ToolOutcome out;
    {
      WaitTimer wait{ex_.ctx.upstream_wait};  // time on a tool server is not the gateway's overhead
      out = co_await ex_.state().tools->call(*catalog_, *tool, call.arguments, span.traceparent);
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    ex_.ctx.end_tool_span(span, tool->name, kind, call.id, source.url, out.ok ? std::string_view{} : out.error_type);
    if (auto* rec = ex_.recorder())
      rec->tool_call(ex_.ctx.provider, ex_.ctx.model,
                     telemetry::ToolCallOutcome{kind, tool->name, out.ok, out.error_type, ms});
    auto level = out.ok ? lg::Level::info : lg::Level::warn;
    if (lg::enabled(level))
      lg::write(level, tool->kind == tools::SourceKind::mcp ? lg::logger::mcp_client : lg::logger::a2a_client,
                out.ok ? "tool call" : "tool call failed",
                {{"tool", tool->name},
                 {lg::field::url, source.url},
                 {lg::field::duration_ms, ms},
                 {lg::field::provider, ex_.ctx.provider},
                 {lg::field::model, ex_.ctx.model},
                 {lg::field::request_id, ex_.ctx.request_id},
                 lg::Field::optional("error_type", out.error_type),
                 lg::Field::optional(lg::field::error, out.ok ? std::string_view{} : std::string_view{out.text}),
                 lg::Field::optional(lg::field::trace_id, ex_.ctx.trace.trace_hex),
                 lg::Field::optional(lg::field::span_id, ex_.ctx.trace.span_hex)});
    Json message = tool_message(call.id, std::move(out.text));
    co_return message;
  }

  Exchange& ex_;
  const ProviderRuntime& provider_;
  UpstreamRequest& req_;
  bool stream_;
  std::shared_ptr<const tools::ToolCatalog> catalog_;
  Usage total_;
  bool header_sent_ = false;
};

}  // namespace

bool bypasses_tools(std::string_view value) {
  return !value.empty() && value != "0" && !iequals(value, "false");
}

awaitable<void> run_tool_loop(Exchange& ex, const ProviderRuntime& provider, UpstreamRequest& req, bool stream,
                              std::shared_ptr<const tools::ToolCatalog> catalog) {
  ToolLoop loop{ex, provider, req, stream, std::move(catalog)};
  co_await loop.run();
}

}  // namespace igw::server
