#include <doctest/doctest.h>

#include <vector>

#include "server/connect_gate.hpp"

using namespace igw::server;
using namespace std::chrono_literals;

namespace {

const std::string kOrigin = "http://127.0.0.1:1";
const std::string kOther = "http://127.0.0.1:2";

auto far() { return std::chrono::steady_clock::now() + 60s; }

}  // namespace

TEST_SUITE("connect_gate") {
  TEST_CASE("up to the cap at once; the next ones wait and are served in order as turns end") {
    asio::io_context io;
    ConnectGate gate{2};
    std::vector<int> order;
    std::vector<int> results(4, -1);
    for (int i = 0; i < 4; ++i)
      asio::co_spawn(io, [&, i]() -> awaitable<void> {
        bool ok = co_await gate.acquire(kOrigin, far());
        results[i] = ok;
        order.push_back(i);
      }, asio::detached);
    io.poll();
    CHECK(order == std::vector<int>{0, 1});
    CHECK(gate.connecting(kOrigin) == 2);
    CHECK(gate.waiting(kOrigin) == 2);
    // Another origin has its own cap.
    bool other = false;
    asio::co_spawn(io, [&]() -> awaitable<void> { other = co_await gate.acquire(kOther, far()); }, asio::detached);
    io.poll();
    CHECK(other);
    gate.release(kOrigin);
    io.poll();
    CHECK(order == std::vector<int>{0, 1, 2});
    CHECK(gate.connecting(kOrigin) == 2);  // the turn was handed over
    gate.release(kOrigin);
    io.poll();
    CHECK(order == std::vector<int>{0, 1, 2, 3});
    CHECK(results == std::vector<int>{1, 1, 1, 1});
    gate.release(kOrigin);
    gate.release(kOrigin);
    CHECK(gate.connecting(kOrigin) == 0);
    CHECK(gate.waiting(kOrigin) == 0);
  }

  TEST_CASE("a waiter whose deadline passes gives up and leaves the queue") {
    asio::io_context io;
    ConnectGate gate{1};
    bool first = false;
    int late = -1;
    asio::co_spawn(io, [&]() -> awaitable<void> { first = co_await gate.acquire(kOrigin, far()); }, asio::detached);
    asio::co_spawn(io, [&]() -> awaitable<void> {
      late = co_await gate.acquire(kOrigin, std::chrono::steady_clock::now() + 20ms);
    }, asio::detached);
    io.run_for(500ms);
    CHECK(first);
    CHECK(late == 0);
    CHECK(gate.waiting(kOrigin) == 0);
    gate.release(kOrigin);
    CHECK(gate.connecting(kOrigin) == 0);
  }

  TEST_CASE("a waiter that is cancelled leaves the queue; the turn goes to the next one") {
    asio::io_context io;
    auto work = asio::make_work_guard(io);  // poll() must not stop the context when it runs out of handlers
    ConnectGate gate{1};
    asio::co_spawn(io, [&]() -> awaitable<void> { co_await gate.acquire(kOrigin, far()); }, asio::detached);
    io.poll();
    // The second waiter is abandoned: its coroutine is destroyed with the io_context's work below.
    asio::cancellation_signal cancel;
    asio::co_spawn(io, [&]() -> awaitable<void> { co_await gate.acquire(kOrigin, far()); },
                   asio::bind_cancellation_slot(cancel.slot(), asio::detached));
    bool third = false;
    asio::co_spawn(io, [&]() -> awaitable<void> { third = co_await gate.acquire(kOrigin, far()); }, asio::detached);
    io.poll();
    CHECK(gate.waiting(kOrigin) == 2);
    cancel.emit(asio::cancellation_type::terminal);
    io.poll();
    CHECK(gate.waiting(kOrigin) == 1);
    gate.release(kOrigin);
    io.poll();
    CHECK(third);
    CHECK(gate.waiting(kOrigin) == 0);
  }
}
