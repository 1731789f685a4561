#include <doctest/doctest.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "data_plane.hpp"
#include "server/listener.hpp"
#include "server/upstream_call.hpp"

using namespace igw::server;
using namespace igw::server::testing;
using namespace std::chrono_literals;
namespace config = igw::config;

namespace {

const auto kLoopback = asio::ip::make_address("127.0.0.1");

// A recorder whose exposition is a fixed text, so what /metrics serves can be compared byte for byte.
struct FixedRecorder : igw::telemetry::Recorder {
  std::string text = "# HELP x_total A test counter.\n# TYPE x_total counter\nx_total 7\n";
  int expositions = 0;
  void request_started(std::string_view) override {}
  void request_finished(const igw::telemetry::RequestOutcome&) override {}
  void tool_call(std::string_view, std::string_view, const igw::telemetry::ToolCallOutcome&) override {}
  void auth_keys_loaded(bool) override {}
  std::string exposition() override {
    ++expositions;
    return text;
  }
};

// A worker with its loop; `run_until` drives it from the test thread.
struct Loop {
  GatewayState state;
  std::optional<Worker> worker;

  Loop() {
    auto loaded = load_state(load_config({}), state);
    if (!loaded) FAIL(loaded.error());
    worker.emplace(state, nullptr);
  }
  asio::io_context& io() { return worker->ioc; }

  template <class Pred>
  bool run_until(Pred pred, std::chrono::milliseconds limit = 2000ms) {
    auto end = std::chrono::steady_clock::now() + limit;
    io().restart();
    while (!pred() && std::chrono::steady_clock::now() < end) io().run_one_for(10ms);
    return pred();
  }

  // Sends `request` on a new connection to `port` and collects everything until the server closes.
  std::string exchange(std::uint16_t port, std::string request) {
    std::string received;
    bool done = false;
    asio::co_spawn(
        io(),
        [&, request]() -> awaitable<void> {
          Socket s{io().get_executor()};
          auto [cec] = co_await s.async_connect({kLoopback, port}, as_tuple_awaitable);
          if (cec) co_return;
          co_await send(s, request);
          char buf[4096];
          for (;;) {
            auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), as_tuple_awaitable);
            received.append(buf, n);
            if (ec) break;
          }
        },
        [&](std::exception_ptr) { done = true; });
    REQUIRE(run_until([&] { return done; }));
    return received;
  }
};

}  // namespace

TEST_SUITE("listener") {
  TEST_CASE("open_acceptor on 127.0.0.1:0: bound to a real port, listening") {
    asio::io_context io;
    auto a = open_acceptor(io, "127.0.0.1", 0, false);
    REQUIRE(a);
    CHECK(a->is_open());
    CHECK(a->local_endpoint().address() == kLoopback);
    CHECK(a->local_endpoint().port() != 0);
    Socket client{io};
    error_code ec;
    client.connect(a->local_endpoint(), ec);
    CHECK_FALSE(ec);
    Socket accepted = a->accept(ec);
    CHECK_FALSE(ec);
  }

  TEST_CASE("open_acceptor with reuse_port: several acceptors share one port (one per worker)") {
    asio::io_context io;
    auto first = open_acceptor(io, "127.0.0.1", 0, true);
    REQUIRE(first);
    auto port = first->local_endpoint().port();
    auto second = open_acceptor(io, "127.0.0.1", port, true);
    REQUIRE(second);
    CHECK(second->local_endpoint().port() == port);
  }

  TEST_CASE("open_acceptor on a port in use: one error line naming host:port") {
    asio::io_context io;
    auto busy = open_acceptor(io, "127.0.0.1", 0, false);
    REQUIRE(busy);
    auto port = busy->local_endpoint().port();
    auto again = open_acceptor(io, "127.0.0.1", port, false);
    REQUIRE_FALSE(again);
    CAPTURE(again.error());
    CHECK(again.error().find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
    CHECK(again.error().find('\n') == std::string::npos);
  }

  TEST_CASE("open_acceptor on an address this host does not have: one error line naming it") {
    asio::io_context io;
    auto a = open_acceptor(io, "192.0.2.1", 8080, false);  // TEST-NET-1: never a local address
    REQUIRE_FALSE(a);
    CAPTURE(a.error());
    CHECK(a.error().find("192.0.2.1:8080") != std::string::npos);
    CHECK(a.error().find('\n') == std::string::npos);
  }

  TEST_CASE("tune_socket: TCP_NODELAY on, non-blocking") {
    asio::io_context io;
    Acceptor acceptor{io, {kLoopback, 0}};
    Socket client{io};
    client.connect(acceptor.local_endpoint());
    Socket s = acceptor.accept();
    tcp::no_delay before;
    s.get_option(before);
    REQUIRE_FALSE(before.value());
    REQUIRE_FALSE(s.non_blocking());
    tune_socket(s);
    tcp::no_delay after;
    s.get_option(after);
    CHECK(after.value());
    CHECK(s.non_blocking());
    int flag = 0;
    socklen_t len = sizeof flag;
    REQUIRE(::getsockopt(s.native_handle(), IPPROTO_TCP, TCP_NODELAY, &flag, &len) == 0);
    CHECK(flag != 0);
  }

  TEST_CASE("the metrics accept loop: GET /metrics is the recorder's exposition, anything else 404") {
    Loop loop;
    FixedRecorder recorder;
    loop.state.recorder = &recorder;
    auto a = open_acceptor(loop.io(), "127.0.0.1", 0, false);
    REQUIRE(a);
    auto port = a->local_endpoint().port();
    loop.worker->metrics_acceptor.emplace(std::move(*a));
    asio::co_spawn(loop.io(), metrics_accept_loop(*loop.worker), asio::detached);

    SUBCASE("GET /metrics") {
      auto r =
          parse_replies(loop.exchange(port, "GET /metrics HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n"));
      REQUIRE(r.size() == 1);
      CHECK(r[0].status() == 200);
      CHECK(r[0].field("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
      CHECK(r[0].body == recorder.text);
      CHECK(recorder.expositions == 1);
    }
    SUBCASE("a query string is ignored") {
      auto r = parse_replies(
          loop.exchange(port, "GET /metrics?name[]=x HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n"));
      REQUIRE(r.size() == 1);
      CHECK(r[0].status() == 200);
      CHECK(r[0].body == recorder.text);
    }
    SUBCASE("keep-alive: two scrapes on one connection, each a fresh exposition") {
      auto r = parse_replies(loop.exchange(port,
                                           "GET /metrics HTTP/1.1\r\nHost: m\r\n\r\nGET /metrics "
                                           "HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n"));
      REQUIRE(r.size() == 2);
      CHECK(r[0].status() == 200);
      CHECK(r[0].keep_alive);
      CHECK(r[1].status() == 200);
      CHECK(recorder.expositions == 2);
    }
    SUBCASE("another path") {
      auto r =
          parse_replies(loop.exchange(port, "GET /health HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n"));
      REQUIRE(r.size() == 1);
      CHECK(r[0].status() == 404);
      CHECK(error_message(r[0].body) == "Requested route is not found");
      CHECK(recorder.expositions == 0);
    }
    SUBCASE("another method") {
      auto r = parse_replies(loop.exchange(
          port, "POST /metrics HTTP/1.1\r\nHost: m\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
      REQUIRE(r.size() == 1);
      CHECK(r[0].status() == 404);
    }
    SUBCASE("no recorder") {
      loop.state.recorder = nullptr;
      auto r =
          parse_replies(loop.exchange(port, "GET /metrics HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n"));
      REQUIRE(r.size() == 1);
      CHECK(r[0].status() == 404);
    }
  }

  TEST_CASE("the API accept loop serves each connection until the acceptor is closed") {
    Loop loop;
    auto a = open_acceptor(loop.io(), "127.0.0.1", 0, true);
    REQUIRE(a);
    auto port = a->local_endpoint().port();
    loop.worker->acceptor.emplace(std::move(*a));
    bool ended = false;
    asio::co_spawn(loop.io(), accept_loop(*loop.worker), [&](std::exception_ptr) { ended = true; });
    for (int i = 0; i < 2; ++i) {
      auto r =
          parse_replies(loop.exchange(port, "GET /health HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n"));
      REQUIRE(r.size() == 1);
      CHECK(r[0].status() == 200);
      CHECK(r[0].body == R"({"message":"OK"})");
    }
    CHECK_FALSE(ended);
    loop.worker->acceptor->close();
    CHECK(loop.run_until([&] { return ended; }));
  }

  TEST_CASE("begin_drain: stops accepting and closes the idle connections, not the busy ones") {
    Loop loop;
    auto a = open_acceptor(loop.io(), "127.0.0.1", 0, true);
    REQUIRE(a);
    loop.worker->acceptor.emplace(std::move(*a));
    Acceptor helper{loop.io(), {kLoopback, 0}};
    auto connected = [&] {
      Socket c{loop.io()};
      c.connect(helper.local_endpoint());
      return std::pair{std::move(c), AnyStream{helper.accept()}};
    };
    auto [idle_peer, idle_stream] = connected();
    auto [busy_peer, busy_stream] = connected();
    ClientConnection idle{&idle_stream, true}, busy{&busy_stream, false};
    loop.worker->connections = {&idle, &busy};
    loop.worker->begin_drain();
    CHECK_FALSE(loop.worker->acceptor->is_open());
    CHECK_FALSE(idle_stream.socket().is_open());
    CHECK(busy_stream.socket().is_open());
    loop.worker->connections.clear();
  }

  TEST_CASE("pool_sweeper closes pooled upstream connections idle for longer than CLIENT_IDLE_CONN_TIMEOUT") {
    Gateway g;
    g.upstream->serve([](Socket& s, int) -> awaitable<void> {
      beast::flat_buffer buffer;
      while (co_await read_request(s, buffer)) co_await send(s, canned_response(200, "{}"));
    });
    g.load({{"OPENAI_API_URL", g.upstream->url()},
            {"OPENAI_API_KEY", "k"},
            {"CLIENT_IDLE_CONN_TIMEOUT", "100ms"}});
    UpstreamCall call{g.worker->pool, g.state, g.provider("openai"), false};
    UpstreamRequest req{"GET", "/v1/models"};
    bool read = false;
    g.run([&]() -> awaitable<void> {
      if (co_await call.send(req)) co_return;
      read = (co_await call.read_all()).has_value();
      call.release();
    });
    REQUIRE(read);
    REQUIRE(g.worker->pool.idle_count() == 1);
    asio::co_spawn(g.io(), pool_sweeper(*g.worker), asio::detached);
    auto t0 = std::chrono::steady_clock::now();
    g.run_until([&] { return g.worker->pool.idle_count() == 0; });
    CHECK(g.worker->pool.idle_count() == 0);
    CHECK(std::chrono::steady_clock::now() - t0 >= 90ms);
  }
}
