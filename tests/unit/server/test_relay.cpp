#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "data_plane.hpp"
#include "server/errors.hpp"
#include "server/handlers.hpp"
#include "server/relay.hpp"

using namespace igw::server;
using namespace igw::server::testing;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kChatRequest =
    "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: "
    "2\r\n\r\n{}";
constexpr std::string_view kSseHead =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

// A chat stream: content, a tool call in two deltas, usage, the end.
const std::string kContent = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n";
const std::string kToolStart =
    R"(data: {"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"ci"}}]}}]})"
    "\n\n";
const std::string kToolRest =
    R"(data: {"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]}}]})"
    "\n\n";
const std::string kUsage =
    R"(data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}})"
    "\n\n";
const std::string kDone = "data: [DONE]\n\n";
const std::vector<std::string> kEvents{kContent, kToolStart, kToolRest, kUsage, kDone};

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += p;
  return out;
}

// True when `chunk` is a run of whole events from `events`.
bool whole_events(std::string_view chunk, const std::vector<std::string>& events) {
  while (!chunk.empty()) {
    bool found = false;
    for (const auto& ev : events) {
      if (chunk.starts_with(ev)) {
        chunk.remove_prefix(ev.size());
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

void load_openai(Gateway& g) {
  g.load({{"OPENAI_API_URL", g.upstream->url()}, {"OPENAI_API_KEY", "sk-test"}});
}

// Sends a chat request upstream for the exchange and relays the answer with `relay`.
template <class Relay>
void relay_call(Gateway& g, bool streaming, Relay relay) {
  UpstreamCall call{g.worker->pool, g.state, g.provider("openai"), streaming};
  UpstreamRequest req{"POST", "/v1/chat/completions"};
  req.body() = "{}";
  g.run([&]() -> awaitable<void> {
    if (!co_await send_upstream(*g.ex, call, req)) co_return;
    co_await relay(*g.ex, call);
  });
}

auto sse(bool observe) {
  AnswerShape shape = observe ? AnswerShape::chat_completion : AnswerShape::none;
  return [shape](Exchange& ex, UpstreamCall& call) { return relay_sse(ex, call, shape); };
}
auto json() {
  return [](Exchange& ex, UpstreamCall& call) { return relay_json(ex, call); };
}
auto verbatim(AnswerShape shape = AnswerShape::none) {
  return [shape](Exchange& ex, UpstreamCall& call) { return relay_verbatim(ex, call, shape); };
}

// Reads the request, then answers with `response`; keeps the connection open until the peer closes it.
FakeUpstream::Script answer(std::string response) {
  return [response](Socket& s, int) -> awaitable<void> {
    beast::flat_buffer buffer;
    if (!co_await read_request(s, buffer)) co_return;
    co_await send(s, response);
    co_await wait_closed(s);
  };
}

std::string json_response(unsigned status, std::string_view reason, std::string_view body,
                          std::string_view content_type = "application/json") {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string{reason} + "\r\n";
  if (!content_type.empty()) out += "Content-Type: " + std::string{content_type} + "\r\n";
  return out + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string{body};
}

}  // namespace

TEST_SUITE("relay") {
  TEST_CASE("an SSE stream: stream headers, whole events in order, usage and tool calls recorded") {
    Gateway g;
    g.upstream->serve([](Socket& s, int) -> awaitable<void> {
      beast::flat_buffer buffer;
      if (!co_await read_request(s, buffer)) co_return;
      co_await send(s, kSseHead);
      co_await send(s, chunk(kContent.substr(0, 20)));  // an event split across reads
      co_await pause(20ms);
      co_await send(s, chunk(kContent.substr(20)));
      co_await pause(10ms);
      co_await send(s, chunk(kToolStart + kToolRest));  // two events in one read
      co_await pause(10ms);
      co_await send(s, chunk(kUsage.substr(0, 5)) + chunk(kUsage.substr(5)));  // split across chunks
      co_await pause(10ms);
      co_await send(s, chunk(kDone) + "0\r\n\r\n");
      co_await wait_closed(s);
    });
    load_openai(g);
    g.start(kChatRequest);
    relay_call(g, true, sse(true));
    CHECK(g.ctx.status == 200);
    CHECK(g.ctx.upstream_error_reason.empty());
    CHECK_FALSE(g.ctx.client_disconnected);
    CHECK(g.ctx.first_token.has_value());
    CHECK(g.ctx.upstream_wait >= 40ms);  // the pauses were spent waiting on the upstream
    CHECK(g.ctx.bytes_out == joined(kEvents).size());
    CHECK(g.ctx.usage.present);
    CHECK(g.ctx.usage.prompt_tokens == 5);
    CHECK(g.ctx.usage.completion_tokens == 7);
    CHECK(g.ctx.usage.total_tokens == 12);
    REQUIRE(g.ctx.tool_calls.size() == 1);
    CHECK(g.ctx.tool_calls[0].id == "call_1");
    CHECK(g.ctx.tool_calls[0].name == "get_weather");
    CHECK(g.ctx.tool_calls[0].arguments == R"({"city":"Paris"})");
    CHECK(g.ex->keep_alive);
    CHECK(g.worker->pool.idle_count() == 1);  // read to its end: the upstream connection is kept
    auto r = g.reply();
    CHECK(r.complete);
    CHECK(r.status() == 200);
    CHECK(r.field("Content-Type") == "text/event-stream");
    CHECK(r.field("Cache-Control") == "no-cache");
    CHECK(r.field("X-Accel-Buffering") == "no");
    CHECK(r.field("Transfer-Encoding") == "chunked");
    CHECK(r.field("X-Request-Id") == "req-test-1");
    CHECK(r.body == joined(kEvents));
    CHECK(r.chunks.size() >= 2);
    for (const auto& c : r.chunks) {
      CAPTURE(c);
      CHECK(whole_events(c, kEvents));
    }
  }

  TEST_CASE("relayed without observing (passthrough of an event stream): events forwarded, no usage taken") {
    Gateway g;
    g.upstream->serve(
        answer(std::string{kSseHead} + chunk(kContent) + chunk(kUsage) + chunk(kDone) + "0\r\n\r\n"));
    load_openai(g);
    g.start(kChatRequest);
    relay_call(g, true, verbatim());
    CHECK_FALSE(g.ctx.usage.present);
    auto r = g.reply();
    CHECK(r.complete);
    CHECK(r.field("Content-Type") == "text/event-stream");
    CHECK(r.body == kContent + kUsage + kDone);
    for (const auto& c : r.chunks) CHECK(whole_events(c, kEvents));
  }

  TEST_CASE("a last event without its blank line still goes out, whole") {
    Gateway g;
    g.upstream->serve(
        answer(std::string{kSseHead} + chunk(kContent) + chunk("data: {\"last\":1}") + "0\r\n\r\n"));
    load_openai(g);
    g.start(kChatRequest);
    relay_call(g, true, sse(true));
    auto r = g.reply();
    CHECK(r.complete);
    CHECK(r.body == kContent + "data: {\"last\":1}\n\n");
    CHECK(g.ctx.upstream_error_reason.empty());
  }

  TEST_CASE("an upstream that dies mid-stream: an in-stream error event, never a clean end") {
    Gateway g;
    g.upstream->serve([](Socket& s, int) -> awaitable<void> {
      beast::flat_buffer buffer;
      if (!co_await read_request(s, buffer)) co_return;
      co_await send(s, std::string{kSseHead} + chunk(kContent));
      co_await pause(20ms);
      co_await send(s, chunk(kToolStart.substr(0, 30)));  // half an event, then the connection drops
      s.close();
    });
    load_openai(g);
    g.start(kChatRequest);
    relay_call(g, true, sse(true));
    CHECK_FALSE(g.ex->keep_alive);
    CHECK_FALSE(g.ctx.upstream_error_reason.empty());
    CHECK(g.worker->pool.idle_count() == 0);
    auto r = g.reply();
    CHECK(r.status() == 200);
    CHECK_FALSE(r.complete);  // no last chunk: the client sees the stream broke
    REQUIRE(r.chunks.size() == 2);
    CHECK(r.chunks[0] == kContent);
    const std::string& error = r.chunks[1];
    REQUIRE(error.starts_with("data: "));
    REQUIRE(error.ends_with("\n\n"));
    auto json = nlohmann::json::parse(error.substr(6));
    CHECK(json["error"]["type"] == "upstream_error");
    CHECK(json["error"]["message"].get<std::string>().find("\"openai\"") != std::string::npos);
    CHECK(r.body.find("[DONE]") == std::string::npos);
    CHECK(r.body.find(kToolStart.substr(0, 30)) == std::string::npos);  // the half event is dropped
  }

  // The client watch is cancelled when the relay ends first: that is not the client going away.
  TEST_CASE("an upstream that dies mid-stream is not a client disconnect") {
    Gateway g;
    g.upstream->serve([](Socket& s, int) -> awaitable<void> {
      beast::flat_buffer buffer;
      if (!co_await read_request(s, buffer)) co_return;
      co_await send(s, std::string{kSseHead} + chunk(kContent));
      co_await pause(20ms);
      s.close();
    });
    load_openai(g);
    g.start(kChatRequest);
    relay_call(g, true, sse(true));
    CHECK_FALSE(g.ctx.upstream_error_reason.empty());
    CHECK_FALSE(g.ctx.client_disconnected);
  }

  TEST_CASE("an upstream error status on a stream is relayed with its status, not as a stream") {
    const std::string upstream_body = R"({"error":{"message":"slow down","type":"rate_limit"}})";
    Gateway g;
    g.upstream->serve(answer(json_response(429, "Too Many Requests", upstream_body)));
    load_openai(g);
    g.start(kChatRequest);
    relay_call(g, true, sse(true));
    CHECK(g.ctx.status == 429);
    CHECK(g.ctx.upstream_error_reason == reason::status_4xx);
    CHECK(g.worker->pool.idle_count() == 1);  // the error body was read: the connection is reusable
    auto r = g.reply();
    CHECK(r.status() == 429);
    CHECK(r.field("Content-Type") == "application/json");
    CHECK_FALSE(r.has("Transfer-Encoding"));
    CHECK(r.body == upstream_body);  // already OpenAI-shaped: kept byte for byte, never re-encoded
  }

  TEST_CASE("a 500 to a buffered call: the status relayed, reason status_5xx") {
    Gateway g;
    g.upstream->serve(answer(json_response(500, "Internal Server Error", R"({"error":"boom"})")));
    load_openai(g);
    g.start(kChatRequest);
    relay_call(g, false, json());
    CHECK(g.ctx.status == 500);
    CHECK(g.ctx.upstream_error_reason == reason::status_5xx);
    auto r = g.reply();
    CHECK(r.status() == 500);
    auto body = nlohmann::json::parse(r.body);
    CHECK(body["error"]["message"] == "boom");
    CHECK(body["error"]["code"] == "upstream_status_500");
    CHECK(body["error"]["type"] == "server_error");
  }

  TEST_CASE("a JSON answer: relayed as is with its content type; usage and tool calls recorded") {
    const std::string body =
        R"({"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":null,)"
        R"("tool_calls":[{"id":"call_9","type":"function","function":{"name":"get_time","arguments":"{}"}}]},)"
        R"("finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}})";
    Gateway g;
    g.upstream->serve(answer(json_response(200, "OK", body, "application/json; charset=utf-8")));
    load_openai(g);
    g.start(kChatRequest);
    relay_call(g, false, json());
    CHECK(g.ctx.status == 200);
    CHECK(g.ctx.upstream_error_reason.empty());
    CHECK(g.ctx.bytes_out == body.size());
    CHECK(g.ctx.usage.present);
    CHECK(g.ctx.usage.total_tokens == 7);
    REQUIRE(g.ctx.tool_calls.size() == 1);
    CHECK(g.ctx.tool_calls[0].name == "get_time");
    CHECK(g.ex->keep_alive);
    CHECK(g.worker->pool.idle_count() == 1);
    auto r = g.reply();
    CHECK(r.status() == 200);
    CHECK(r.field("Content-Type") == "application/json; charset=utf-8");
    CHECK(r.field("Content-Length") == std::to_string(body.size()));
    CHECK(r.field("X-Request-Id") == "req-test-1");
    CHECK(r.body == body);
  }

  TEST_CASE("a JSON answer without a content type goes out as application/json") {
    Gateway g;
    g.upstream->serve(answer(json_response(200, "OK", "{}", "")));
    load_openai(g);
    g.start(kChatRequest);
    relay_call(g, false, json());
    CHECK(g.reply().field("Content-Type") == "application/json");
  }

  TEST_CASE("passthrough of a body of unknown length: relayed as it comes, chunked") {
    Gateway g;
    g.upstream->serve([](Socket& s, int) -> awaitable<void> {
      beast::flat_buffer buffer;
      if (!co_await read_request(s, buffer)) co_return;
      co_await send(s, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\npart one;");
      co_await pause(20ms);
      co_await send(s, "part two");
      s.close();  // the close ends the body
    });
    load_openai(g);
    g.start("GET /proxy/openai/files/1/content HTTP/1.1\r\nHost: gw\r\n\r\n");
    relay_call(g, false, verbatim());
    CHECK(g.ctx.status == 200);
    CHECK(g.ctx.upstream_error_reason.empty());
    CHECK(g.ex->keep_alive);
    CHECK(g.worker->pool.idle_count() == 0);  // a close-delimited connection is done
    auto r = g.reply();
    CHECK(r.complete);
    CHECK(r.field("Content-Type") == "application/octet-stream");
    CHECK(r.field("Transfer-Encoding") == "chunked");
    CHECK(r.body == "part one;part two");
  }

  TEST_CASE("passthrough of an error with a length: status, type and body verbatim, reason set") {
    Gateway g;
    g.upstream->serve(answer(json_response(404, "Not Found", R"({"error":{"message":"no such file"}})")));
    load_openai(g);
    g.start("GET /proxy/openai/files/2 HTTP/1.1\r\nHost: gw\r\n\r\n");
    relay_call(g, false, verbatim());
    CHECK(g.ctx.upstream_error_reason == reason::status_4xx);
    auto r = g.reply();
    CHECK(r.status() == 404);
    CHECK(r.field("Content-Type") == "application/json");
    CHECK(r.body == R"({"error":{"message":"no such file"}})");
  }

  // An error sent chunked (or until the close) counts as an upstream error like one with a length.
  TEST_CASE("passthrough of a chunked error: reason set as for one with a length") {
    Gateway g;
    g.upstream->serve(
        answer("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
               "Transfer-Encoding: chunked\r\n\r\n" +
               chunk(R"({"error":"overloaded"})") + "0\r\n\r\n"));
    load_openai(g);
    g.start("GET /proxy/openai/models HTTP/1.1\r\nHost: gw\r\n\r\n");
    relay_call(g, false, verbatim());
    CHECK(g.reply().status() == 503);
    CHECK(g.ctx.upstream_error_reason == reason::status_5xx);
  }

  TEST_CASE("an unreachable upstream: 502 to the client, reason connect on the context") {
    Gateway g;
    std::uint16_t port = g.upstream->port();
    g.upstream.reset();  // nothing listens there now
    g.load({{"OPENAI_API_URL", "http://127.0.0.1:" + std::to_string(port) + "/v1"},
            {"OPENAI_API_KEY", "sk-test"}});
    g.start(kChatRequest);
    relay_call(g, false, json());
    CHECK(g.ctx.status == 502);
    CHECK(g.ctx.upstream_error_reason == reason::connect);
    auto r = g.reply();
    CHECK(r.status() == 502);
    auto error = nlohmann::json::parse(r.body)["error"];
    CHECK(error["message"].get<std::string>().starts_with(errors::upstream_unreachable("openai", "connecting: ")));
    CHECK(error["type"] == "upstream_error");
    CHECK(error["code"] == "upstream_connect");
  }

  TEST_CASE("the client closing mid-stream closes the upstream connection at once") {
    Gateway g;
    bool upstream_closed = false;
    g.upstream->serve([&](Socket& s, int) -> awaitable<void> {
      beast::flat_buffer buffer;
      if (!co_await read_request(s, buffer)) co_return;
      co_await send(s, std::string{kSseHead} + chunk(kContent));
      co_await wait_closed(s);  // the next event never comes
      upstream_closed = true;
    });
    load_openai(g);
    g.start(kChatRequest);
    // The client reads the first event, then hangs up.
    asio::co_spawn(
        g.io(),
        [&]() -> awaitable<void> {
          std::string got;
          char buf[1024];
          while (got.find(kContent) == std::string::npos) {
            auto [ec, n] = co_await g.client->async_read_some(asio::buffer(buf), as_tuple_awaitable);
            if (ec) co_return;
            got.append(buf, n);
          }
          g.client->close();
        },
        asio::detached);
    auto t0 = std::chrono::steady_clock::now();
    relay_call(g, true, sse(true));
    CHECK(std::chrono::steady_clock::now() - t0 < 1s);  // not the 60 s stream idle timeout
    CHECK(g.ctx.client_disconnected);
    CHECK_FALSE(g.ex->keep_alive);
    CHECK(g.ctx.upstream_error_reason.empty());  // the client's doing, not the provider's
    g.run_until([&] { return upstream_closed; }, 1000ms);
    CHECK(upstream_closed);
    CHECK(g.worker->pool.idle_count() == 0);
  }
}

namespace {

// An Anthropic Messages stream and a Responses stream, each event as the APIs frame it.
const std::vector<std::string> kMessagesEvents{
    "event: message_start\ndata: "
    R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],"usage":{"input_tokens":11,"output_tokens":1}}})"
    "\n\n",
    "event: content_block_start\ndata: "
    R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"
    "\n\n",
    "event: content_block_delta\ndata: "
    R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\"usage\":{\"output_tokens\":99}"}})"
    "\n\n",
    "event: message_delta\ndata: "
    R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":6}})"
    "\n\n",
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
};
const std::vector<std::string> kResponsesEvents{
    "event: response.created\ndata: "
    R"({"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","model":"gpt-r","usage":null}})"
    "\n\n",
    "event: response.output_text.delta\ndata: "
    R"({"type":"response.output_text.delta","sequence_number":1,"delta":"hi"})"
    "\n\n",
    "event: response.completed\ndata: "
    R"({"type":"response.completed","sequence_number":2,"response":{"id":"resp_1","object":"response","model":"gpt-r","usage":{"input_tokens":8,"output_tokens":2,"total_tokens":10},"metadata":{}}})"
    "\n\n",
};
const std::string kMessageBody =
    R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":4,"output_tokens":3}})";
const std::string kCompletionBody =
    R"({"id":"c1","object":"chat.completion","model":"gpt-answer","choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}})";

// `body` as a chunked response, `piece` bytes a chunk.
std::string chunked(std::string_view head, std::string_view body, std::size_t piece) {
  std::string out{head};
  for (std::size_t at = 0; at < body.size(); at += piece) out += chunk(body.substr(at, piece));
  return out + "0\r\n\r\n";
}

constexpr std::string_view kChunkedJsonHead =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

void check_usage(const Usage& u, std::int64_t prompt, std::int64_t completion, std::int64_t total) {
  CHECK(u.present);
  CHECK(u.prompt_tokens == prompt);
  CHECK(u.completion_tokens == completion);
  CHECK(u.total_tokens == total);
}

// Runs `handler` for the request `text` against a fake upstream answering `response` to every request.
template <class Handler>
Reply through(Gateway& g, Handler handler, std::string_view text, std::string response) {
  g.upstream->serve(answer(std::move(response)));
  auto& ex = g.start(text);
  g.run([&]() -> awaitable<void> { co_await handler(ex); });
  return g.reply();
}

std::string post(std::string_view target, std::string_view body) {
  return "POST " + std::string{target} +
         " HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string{body};
}

}  // namespace

TEST_SUITE("relay: usage on passthrough routes") {
  TEST_CASE("a Messages stream split anywhere: relayed byte for byte, its usage counted once") {
    const std::string body = joined(kMessagesEvents);
    for (std::size_t piece : {1u, 2u, 7u, 33u, 100u, 4096u}) {
      CAPTURE(piece);
      Gateway g;
      g.upstream->serve(answer(chunked(kSseHead, body, piece)));
      load_openai(g);
      g.start(kChatRequest);
      relay_call(g, true, verbatim(AnswerShape::anthropic_messages));
      check_usage(g.ctx.usage, 11, 6, 17);
      CHECK(g.ctx.tool_calls.empty());
      auto r = g.reply();
      CHECK(r.complete);
      CHECK(r.body == body);
      for (const auto& c : r.chunks) CHECK(whole_events(c, kMessagesEvents));
    }
  }

  TEST_CASE("a stream split across reads with pauses between them") {
    const std::string body = joined(kResponsesEvents);
    Gateway g;
    g.upstream->serve([&body](Socket& s, int) -> awaitable<void> {
      beast::flat_buffer buffer;
      if (!co_await read_request(s, buffer)) co_return;
      co_await send(s, kSseHead);
      const std::size_t cuts[] = {0, 9, 150, 301, body.size()};  // inside a field name, a value, the usage
      for (std::size_t i = 0; i + 1 < std::size(cuts); ++i) {
        co_await send(s, chunk(body.substr(cuts[i], cuts[i + 1] - cuts[i])));
        co_await pause(5ms);
      }
      co_await send(s, "0\r\n\r\n");
      co_await wait_closed(s);
    });
    load_openai(g);
    g.start(kChatRequest);
    relay_call(g, true, verbatim(AnswerShape::openai_responses));
    check_usage(g.ctx.usage, 8, 2, 10);
    CHECK(g.reply().body == body);
  }

  TEST_CASE("a JSON answer with a length: observed for its shape only") {
    struct Case {
      AnswerShape shape;
      std::string body;
      bool counted;
    };
    const Case cases[] = {
        {AnswerShape::anthropic_messages, kMessageBody, true},
        {AnswerShape::any, kMessageBody, true},
        {AnswerShape::none, kMessageBody, false},
        {AnswerShape::any, R"({"object":"list","data":[],"usage":{"prompt_tokens":3,"total_tokens":3}})",
         false},
    };
    for (const auto& c : cases) {
      CAPTURE(c.body);
      CAPTURE(static_cast<int>(c.shape));
      Gateway g;
      g.upstream->serve(answer(json_response(200, "OK", c.body)));
      load_openai(g);
      g.start(kChatRequest);
      relay_call(g, false, verbatim(c.shape));
      CHECK(g.ctx.usage.present == c.counted);
      if (c.counted) check_usage(g.ctx.usage, 4, 3, 7);
      CHECK(g.reply().body == c.body);
    }
  }

  TEST_CASE("a chunked JSON answer is observed once whole, split anywhere") {
    for (std::size_t piece : {1u, 5u, 64u, 4096u}) {
      CAPTURE(piece);
      Gateway g;
      g.upstream->serve(answer(chunked(kChunkedJsonHead, kMessageBody, piece)));
      load_openai(g);
      g.start(kChatRequest);
      relay_call(g, false, verbatim(AnswerShape::anthropic_messages));
      check_usage(g.ctx.usage, 4, 3, 7);
      auto r = g.reply();
      CHECK(r.complete);
      CHECK(r.body == kMessageBody);
    }
  }

  TEST_CASE("a chunked JSON answer over kMaxObservedBody: relayed whole, its usage not read") {
    std::string body = R"({"type":"message","content":[{"type":"text","text":")" +
                       std::string(kMaxObservedBody, 'x') +
                       R"("}],"usage":{"input_tokens":1,"output_tokens":1}})";
    Gateway g;
    g.upstream->serve(answer(chunked(kChunkedJsonHead, body, 16384)));
    load_openai(g);
    g.start(kChatRequest);
    relay_call(g, false, verbatim(AnswerShape::anthropic_messages));
    CHECK_FALSE(g.ctx.usage.present);
    auto r = g.reply();
    CHECK(r.complete);
    CHECK(r.body == body);
  }

  TEST_CASE("errors and answers that are not JSON are not observed") {
    const std::string text_head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                                  std::to_string(kMessageBody.size()) + "\r\n\r\n" + kMessageBody;
    const std::string responses[] = {
        json_response(400, "Bad Request", kMessageBody),
        text_head,
        chunked("HTTP/1.1 500 X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                kMessageBody, 10),
        chunked("HTTP/1.1 429 X\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n",
                joined(kMessagesEvents), 10),
    };
    for (const auto& response : responses) {
      CAPTURE(response.substr(0, 60));
      Gateway g;
      g.upstream->serve(answer(response));
      load_openai(g);
      g.start(kChatRequest);
      relay_call(g, false, verbatim(AnswerShape::any));
      CHECK_FALSE(g.ctx.usage.present);
    }
  }

  TEST_CASE("/v1/messages: the usage counted with the model as sent upstream") {
    Gateway g;
    g.load({{"ANTHROPIC_API_URL", g.upstream->url()}, {"ANTHROPIC_API_KEY", "sk-ant"}});
    auto r = through(
        g, handle_messages,
        post("/v1/messages", R"({"model":"anthropic/claude-x","max_tokens":5,"stream":true,"messages":[]})"),
        chunked(kSseHead, joined(kMessagesEvents), 50));
    CHECK(r.body == joined(kMessagesEvents));
    CHECK(g.ctx.provider == "anthropic");
    CHECK(g.ctx.model == "claude-x");
    check_usage(g.ctx.usage, 11, 6, 17);
  }

  TEST_CASE("/v1/responses: the usage counted") {
    Gateway g;
    load_openai(g);
    auto r = through(
        g, handle_responses, post("/v1/responses", R"({"model":"openai/gpt-r","input":"hi"})"),
        json_response(200, "OK",
                      R"({"id":"resp_1","object":"response","model":"gpt-r","output":[],)"
                      R"("usage":{"input_tokens":3,"output_tokens":9,"total_tokens":12},"metadata":{}})"));
    CHECK(r.status() == 200);
    CHECK(g.ctx.model == "gpt-r");
    check_usage(g.ctx.usage, 3, 9, 12);
  }

  TEST_CASE("/proxy: a known answer counted, the model from the request, else from the answer") {
    {
      Gateway g;
      load_openai(g);
      through(g, handle_proxy,
              post("/proxy/openai/chat/completions", R"({"messages":[],"model":"gpt-asked"})"),
              json_response(200, "OK", kCompletionBody));
      CHECK(g.ctx.provider == "openai");
      CHECK(g.ctx.model == "gpt-asked");
      check_usage(g.ctx.usage, 5, 2, 7);
    }
    for (std::string_view body : {std::string_view{R"({"messages":[]})"}, std::string_view{R"({"model":5})"},
                                  std::string_view{"model=x"}, std::string_view{R"(["model"])"}}) {
      CAPTURE(body);
      Gateway g;
      load_openai(g);
      through(g, handle_proxy, post("/proxy/openai/chat/completions", body),
              json_response(200, "OK", kCompletionBody));
      CHECK(g.ctx.model == "gpt-answer");
      check_usage(g.ctx.usage, 5, 2, 7);
    }
    {
      Gateway g;
      load_openai(g);
      through(
          g, handle_proxy, post("/proxy/openai/embeddings", R"({"model":"emb","input":"x"})"),
          json_response(
              200, "OK",
              R"({"object":"list","data":[],"model":"emb","usage":{"prompt_tokens":2,"total_tokens":2}})"));
      CHECK(g.ctx.model == "emb");
      CHECK_FALSE(g.ctx.usage.present);
    }
  }
}
