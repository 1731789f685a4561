#include <doctest/doctest.h>

#include <optional>

#include "server/http_read.hpp"
#include "socket_pair.hpp"

using namespace igw::server;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

using Pair = igw::server::testing::SocketPair;

// Starts a read on the stream and records when and how it ended.
struct PendingRead {
  std::optional<error_code> ec;
  Clock::time_point ended;
  char byte = 0;
  void start(Pair& p) {
    p.ours->async_read_some(asio::buffer(&byte, 1), [this](error_code e, std::size_t) {
      ec = e;
      ended = Clock::now();
    });
  }
};

}  // namespace

TEST_SUITE("deadline") {
  TEST_CASE("a passing deadline closes the stream: the pending read ends and timed_out() says why") {
    Pair p;
    PendingRead r;
    auto start = Clock::now();
    p.ours->expires_after(50ms);
    r.start(p);
    p.io.run_for(2s);
    REQUIRE(r.ec);
    CHECK(*r.ec == asio::error::operation_aborted);
    CHECK(p.ours->timed_out());
    CHECK(r.ended - start >= 50ms);
    CHECK(r.ended - start < 1s);
    CHECK_FALSE(p.ours->socket().is_open());
  }

  TEST_CASE("a deadline moved later holds until the new time; an earlier one takes over at once") {
    // Sets a first deadline, starts a read, moves the deadline after `wait`; returns when the read ended.
    auto ended_after = [](Clock::duration first, Clock::duration wait, Clock::duration second) {
      Pair p;
      PendingRead r;
      auto start = Clock::now();
      p.ours->expires_after(first);
      r.start(p);
      p.io.run_for(wait);
      p.ours->expires_after(second);
      p.io.run_for(3s);
      REQUIRE(r.ec);
      CHECK(p.ours->timed_out());
      return r.ended - start;
    };
    // The armed 40 ms wait fires, finds the deadline moved, and waits again.
    CHECK(ended_after(40ms, 20ms, 200ms) >= 220ms);
    CHECK(ended_after(10s, 10ms, 30ms) < 1s);
  }

  TEST_CASE("no deadline: a read waits as long as it takes, and the stream stays open") {
    Pair p;
    PendingRead r;
    p.ours->expires_after(30ms);
    p.ours->expires_never();
    r.start(p);
    p.io.run_for(150ms);
    CHECK_FALSE(r.ec);
    p.send("x");
    p.io.run_for(1s);
    REQUIRE(r.ec);
    CHECK_FALSE(*r.ec);
    CHECK(r.byte == 'x');
    CHECK_FALSE(p.ours->timed_out());
    CHECK(p.ours->socket().is_open());
  }

  TEST_CASE("the deadline follows the stream when it moves, and dies with it") {
    Pair p;
    AnyStream moved{std::move(*p.ours)};
    p.ours.reset();
    char byte;
    std::optional<error_code> ec;
    moved.expires_after(30ms);
    moved.async_read_some(asio::buffer(&byte, 1), [&](error_code e, std::size_t) { ec = e; });
    p.io.run_for(1s);
    REQUIRE(ec);
    CHECK(moved.timed_out());
    // A stream destroyed with its deadline armed: the timer's wait finds nothing to close.
    {
      Pair q;
      q.ours->expires_after(20ms);
      q.ours.reset();
      q.io.run_for(100ms);
      CHECK(q.io.stopped());
    }
  }

  TEST_CASE("read timeouts come back as beast's timeout from the HTTP reader") {
    Pair p;
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    std::optional<error_code> ec;
    p.send("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");  // the body never completes
    p.ours->expires_after(50ms);
    asio::co_spawn(p.io, [&]() -> awaitable<void> { ec = co_await http_read_message(*p.ours, buffer, parser); },
                   asio::detached);
    p.io.run_for(2s);
    REQUIRE(ec);
    CHECK(*ec == timed_out_error());
    CHECK(parser.is_header_done());
  }
}
