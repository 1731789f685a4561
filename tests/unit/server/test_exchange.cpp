#include <doctest/doctest.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <nlohmann/json.hpp>

#include "data_plane.hpp"
#include "server/errors.hpp"

using namespace igw::server;
using igw::server::testing::Gateway;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kGet11 = "GET /v1/models HTTP/1.1\r\nHost: gw\r\n\r\n";

}  // namespace

TEST_SUITE("exchange") {
  TEST_CASE("write_json: status, JSON content type, length, request id; keep-alive stays on") {
    Gateway g;
    g.load({});
    auto& ex = g.start(kGet11);
    bool ok = false;
    g.run([&]() -> awaitable<void> { ok = co_await write_json(ex, 201, R"({"a":1})"); });
    CHECK(ok);
    CHECK(ex.keep_alive);
    CHECK(g.ctx.status == 201);
    CHECK(g.ctx.bytes_out == 7);
    auto r = g.reply();
    CHECK(r.complete);
    CHECK(r.status() == 201);
    CHECK(r.head.version() == 11);
    CHECK(r.field("Content-Type") == "application/json");
    CHECK(r.field("Content-Length") == "7");
    CHECK(r.field("X-Request-Id") == "req-test-1");
    CHECK(r.field("Server") == "igw");
    CHECK_FALSE(r.has("Connection"));
    CHECK_FALSE(r.has("Transfer-Encoding"));
    CHECK(r.keep_alive);
    CHECK(r.body == R"({"a":1})");
  }

  TEST_CASE("write_error: OpenAI's error shape with the message escaped, the type for the status, the code") {
    Gateway g;
    g.load({});
    auto& ex = g.start(kGet11);
    const std::string message = "bad \"model\"\n\\ here";
    g.run([&]() -> awaitable<void> { co_await write_error(ex, 400, errors::code::invalid_json, message); });
    auto r = g.reply();
    CHECK(r.status() == 400);
    CHECK(r.field("Content-Type") == "application/json");
    CHECK(r.body == errors::body(400, errors::code::invalid_json, message));
    auto json = nlohmann::json::parse(r.body);
    CHECK(json["error"]["message"] == message);
    CHECK(json["error"]["type"] == "invalid_request_error");
    CHECK(json["error"]["code"] == "invalid_json");
  }

  TEST_CASE("write_body: the given content type, an empty body with length 0; ctx counts body bytes only") {
    Gateway g;
    g.load({});
    auto& ex = g.start(kGet11);
    g.run([&]() -> awaitable<void> {
      co_await write_body(ex, 200, "text/plain; version=0.0.4", "up 1\n");
      co_await write_body(ex, 404, "text/plain", "");
    });
    CHECK(g.ctx.bytes_out == 5);
    CHECK(g.ctx.status == 404);  // the last response written
    auto all = g.replies();
    REQUIRE(all.size() == 2);  // both on the one keep-alive connection, in order
    CHECK(all[0].field("Content-Type") == "text/plain; version=0.0.4");
    CHECK(all[0].body == "up 1\n");
    CHECK(all[1].status() == 404);
    CHECK(all[1].field("Content-Length") == "0");
    CHECK(all[1].body.empty());
    CHECK(all[1].complete);
  }

  TEST_CASE("a client asking to close gets Connection: close") {
    Gateway g;
    g.load({});
    auto& ex = g.start("GET /v1/models HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
    CHECK_FALSE(ex.keep_alive);
    g.run([&]() -> awaitable<void> { co_await write_json(ex, 200, "{}"); });
    auto r = g.reply();
    CHECK(r.field("Connection") == "close");
    CHECK_FALSE(r.keep_alive);
  }

  TEST_CASE("HTTP/1.0: an HTTP/1.0 status line; keep-alive only when asked, and then announced") {
    {
      Gateway g;
      g.load({});
      auto& ex = g.start("GET /v1/models HTTP/1.0\r\n\r\n");
      CHECK_FALSE(ex.keep_alive);
      g.run([&]() -> awaitable<void> { co_await write_json(ex, 200, "{}"); });
      auto r = g.reply();
      CHECK(r.head.version() == 10);
      CHECK_FALSE(r.has("Connection"));
      CHECK(r.field("Content-Length") == "2");
      CHECK_FALSE(r.keep_alive);
    }
    {
      Gateway g;
      g.load({});
      auto& ex = g.start("GET /v1/models HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      CHECK(ex.keep_alive);
      g.run([&]() -> awaitable<void> { co_await write_json(ex, 200, "{}"); });
      auto r = g.reply();
      CHECK(r.head.version() == 10);
      CHECK(r.field("Connection") == "keep-alive");
      CHECK(r.keep_alive);
    }
  }

  TEST_CASE("draining: the response closes the connection and says so") {
    Gateway g;
    g.load({});
    auto& ex = g.start(kGet11);
    g.state.draining = true;
    g.run([&]() -> awaitable<void> { co_await write_json(ex, 200, "{}"); });
    CHECK_FALSE(ex.keep_alive);
    auto r = g.reply();
    CHECK(r.field("Connection") == "close");
    CHECK_FALSE(r.keep_alive);
  }

  TEST_CASE("a stream: chunked event-stream head, one chunk per write, an empty write sends nothing") {
    Gateway g;
    g.load({});
    auto& ex = g.start("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\n\r\n{}");
    std::vector<bool> ok;
    g.run([&]() -> awaitable<void> {
      ok.push_back(co_await write_stream_header(ex));
      ok.push_back(co_await write_chunk(ex, "data: a\n\n"));
      ok.push_back(co_await write_chunk(ex, ""));  // a zero-size chunk would end the body early
      ok.push_back(co_await write_chunk(ex, std::string(5000, 'x') + "\n\n"));
      ok.push_back(co_await write_last_chunk(ex));
    });
    CHECK(ok == std::vector<bool>(5, true));
    CHECK(ex.keep_alive);
    CHECK_FALSE(ex.close_delimited);
    CHECK(g.ctx.status == 200);
    CHECK(g.ctx.bytes_out == 9 + 5002);
    auto r = g.reply();
    CHECK(r.complete);
    CHECK(r.status() == 200);
    CHECK(r.field("Content-Type") == "text/event-stream");
    CHECK(r.field("Cache-Control") == "no-cache");
    CHECK(r.field("X-Accel-Buffering") == "no");
    CHECK(r.field("Transfer-Encoding") == "chunked");
    CHECK(r.field("X-Request-Id") == "req-test-1");
    CHECK_FALSE(r.has("Content-Length"));
    REQUIRE(r.chunks.size() == 2);
    CHECK(r.chunks[0] == "data: a\n\n");
    CHECK(r.chunks[1] == std::string(5000, 'x') + "\n\n");
    CHECK(r.keep_alive);
  }

  TEST_CASE("a stream with another status and content type (passthrough) keeps the stream headers") {
    Gateway g;
    g.load({});
    auto& ex = g.start(kGet11);
    g.run([&]() -> awaitable<void> {
      co_await write_stream_header(ex, 503, "application/x-ndjson");
      co_await write_chunk(ex, "{}\n");
      co_await write_last_chunk(ex);
    });
    CHECK(g.ctx.status == 503);
    auto r = g.reply();
    CHECK(r.status() == 503);
    CHECK(r.field("Content-Type") == "application/x-ndjson");
    CHECK(r.field("Cache-Control") == "no-cache");
    CHECK(r.field("X-Accel-Buffering") == "no");
    CHECK(r.body == "{}\n");
  }

  TEST_CASE("a stream to an HTTP/1.0 client: raw bytes ended by the close, even when it asked keep-alive") {
    Gateway g;
    g.load({});
    auto& ex = g.start(
        "POST /v1/chat/completions HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}");
    REQUIRE(ex.keep_alive);
    g.run([&]() -> awaitable<void> {
      co_await write_stream_header(ex);
      co_await write_chunk(ex, "data: a\n\n");
      co_await write_chunk(ex, "data: b\n\n");
      co_await write_last_chunk(ex);  // nothing: the close ends the body
    });
    CHECK_FALSE(ex.keep_alive);
    CHECK(ex.close_delimited);
    CHECK(g.ctx.bytes_out == 18);
    std::string raw = g.client_received();
    CHECK(raw.find("HTTP/1.0 200 OK\r\n") == 0);
    CHECK(raw.ends_with("\r\n\r\ndata: a\n\ndata: b\n\n"));
    auto replies = igw::server::testing::parse_replies(raw);
    REQUIRE(replies.size() == 1);
    const auto& r = replies.front();
    CHECK(r.complete);
    CHECK_FALSE(r.has("Transfer-Encoding"));
    CHECK_FALSE(r.has("Content-Length"));
    CHECK_FALSE(r.has("Connection"));
    CHECK(r.field("Content-Type") == "text/event-stream");
    CHECK(r.body == "data: a\n\ndata: b\n\n");
  }

  TEST_CASE("a client that is gone: the write fails and the connection will not be kept") {
    Gateway g;
    g.load({});
    auto& ex = g.start(kGet11);
    g.client->close();
    int writes = 0;
    bool ok = true;
    g.run([&]() -> awaitable<void> {
      // The first write may still be taken by the kernel; the peer's reset fails a later one.
      while (ok && writes < 100) {
        ++writes;
        ok = co_await write_json(ex, 200, "{}");
        if (ok) co_await igw::server::testing::pause(2ms);
      }
    });
    CHECK_FALSE(ok);
    CHECK(writes < 100);
    CHECK_FALSE(ex.keep_alive);
  }

  TEST_CASE("wait_client_gone: completes on the client's close, not on bytes the client sends") {
    using namespace boost::asio::experimental::awaitable_operators;
    // Which finished first: 0 the wait, 1 a 100 ms timer.
    auto race = [](Gateway& g) {
      std::size_t first = 9;
      g.run([&]() -> awaitable<void> {
        Timer t{co_await asio::this_coro::executor, 100ms};
        auto which = co_await (wait_client_gone(*g.ours) || t.async_wait(use_awaitable));
        first = which.index();
      });
      return first;
    };
    {
      Gateway g;
      asio::write(*g.client, asio::buffer(std::string_view{"GET /next HTTP/1.1\r\n\r\n"}));
      CHECK(race(g) == 1);  // a pipelined request is not a disconnect
    }
    {
      Gateway g;
      g.client->close();
      CHECK(race(g) == 0);
    }
    {
      Gateway g;
      g.client->shutdown(Socket::shutdown_send);  // half-closed counts as gone
      CHECK(race(g) == 0);
    }
  }
}
