#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <thread>

#include "data_plane.hpp"
#include "server/gateway.hpp"
#include "server/listener.hpp"
#include "telemetry/log.hpp"

using namespace igw::server;
using namespace igw::server::testing;
using namespace std::chrono_literals;
namespace config = igw::config;
namespace lg = igw::telemetry::log;

namespace {

// Start-up and drain lines are not what these tests look at; the default is restored afterwards.
struct QuietLogs {
  QuietLogs() { lg::init(lg::Level::error, lg::Sink::stderr_sync); }
  ~QuietLogs() { lg::init(lg::Level::info, lg::Sink::stdout_sync); }
};

// run_gateway on a thread of its own, stopped through a stop_source (at the latest on destruction).
class RunningGateway {
 public:
  explicit RunningGateway(config::Environment env) : config_(load_config(env)) {
    thread_ = std::thread([this] {
      RunOptions options;
      options.on_ready = [this](const Endpoints& ep) { ready_.set_value(ep); };
      options.stop = stop_.get_token();
      options.handle_signals = false;
      result_.set_value(run_gateway(config_, options));
    });
  }
  ~RunningGateway() {
    stop_.request_stop();
    if (thread_.joinable()) thread_.join();
  }

  // The endpoints on_ready reported; fails the test when start-up does not finish in time.
  Endpoints ready() {
    REQUIRE(ready_future_.wait_for(5s) == std::future_status::ready);
    return ready_future_.get();
  }
  bool reported_ready() const { return ready_future_.wait_for(0s) == std::future_status::ready; }
  void stop() { stop_.request_stop(); }
  // What run_gateway returned; fails the test when it does not return within `limit`.
  std::expected<void, std::string> result(std::chrono::milliseconds limit = 5000ms) {
    REQUIRE(result_future_.wait_for(limit) == std::future_status::ready);
    thread_.join();
    return result_future_.get();
  }

 private:
  config::Config config_;
  std::stop_source stop_;
  std::promise<Endpoints> ready_;
  std::future<Endpoints> ready_future_ = ready_.get_future();
  std::promise<std::expected<void, std::string>> result_;
  std::future<std::expected<void, std::string>> result_future_ = result_.get_future();
  std::thread thread_;
};

// Sends `request` on a new connection to 127.0.0.1:port; what came back until the server closed or `limit`.
std::string roundtrip(std::uint16_t port, std::string request, std::chrono::milliseconds limit = 2000ms) {
  asio::io_context io;
  std::string received;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        Socket s{io.get_executor()};
        auto [cec] =
            co_await s.async_connect({asio::ip::make_address("127.0.0.1"), port}, as_tuple_awaitable);
        if (cec) co_return;
        co_await send(s, request);
        char buf[4096];
        for (;;) {
          auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), as_tuple_awaitable);
          received.append(buf, n);
          if (ec) break;
        }
      },
      asio::detached);
  io.run_for(limit);
  return received;
}

Reply get(std::uint16_t port, std::string_view target) {
  auto r = parse_replies(roundtrip(
      port, "GET " + std::string{target} + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  REQUIRE(r.size() == 1);
  CHECK(r[0].complete);
  return r[0];
}

// A fake provider whose loop runs on a thread of its own, stopped and joined on destruction.
struct ProviderLoop {
  asio::io_context io;
  FakeUpstream upstream{io};
  std::thread thread;
  void start() {
    thread = std::thread([this] {
      auto guard = asio::make_work_guard(io);
      io.run();
    });
  }
  ~ProviderLoop() {
    io.stop();
    if (thread.joinable()) thread.join();
  }
};

const config::Environment kEphemeral{{"SERVER_HOST", "127.0.0.1"}, {"SERVER_PORT", "0"},
                                     {"SERVER_WORKERS", "2"},      {"SERVER_DRAIN_TIMEOUT", "3s"},
                                     {"TELEMETRY_ENABLE", "true"}, {"TELEMETRY_METRICS_PORT", "0"}};

config::Environment with(config::Environment env, const config::Environment& more) {
  for (const auto& [k, v] : more) env[k] = v;
  return env;
}

}  // namespace

TEST_SUITE("gateway") {
  TEST_CASE("on_ready reports the bound ports; /health on the API port, /metrics on the metrics port") {
    QuietLogs quiet;
    RunningGateway gw{kEphemeral};
    auto ep = gw.ready();
    CHECK(ep.address == "127.0.0.1");
    CHECK(ep.port != 0);
    CHECK(ep.metrics_port != 0);
    CHECK(ep.metrics_port != ep.port);
    CHECK(ep.metrics_address == "127.0.0.1");
    CHECK_FALSE(ep.tls);

    auto health = get(ep.port, "/health");
    CHECK(health.status() == 200);
    CHECK(health.body == R"({"message":"OK"})");
    CHECK(get(ep.port, "/no/such/route").status() == 404);

    auto metrics = get(ep.metrics_port, "/metrics");
    CHECK(metrics.status() == 200);
    CHECK(metrics.field("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(metrics.body.find("target_info{") != std::string::npos);
    // The 404 above was counted; /health (a probe) was not.
    CHECK(metrics.body.find("status_code=\"404\"") != std::string::npos);
    CHECK(metrics.body.find("request_path=\"/health\"") == std::string::npos);
    // The metrics stay off the API port.
    CHECK(get(ep.port, "/metrics").status() == 404);

    gw.stop();
    auto result = gw.result();
    CHECK(result.has_value());
  }

  TEST_CASE("telemetry off: no metrics port") {
    QuietLogs quiet;
    RunningGateway gw{with(kEphemeral, {{"TELEMETRY_ENABLE", "false"}})};
    auto ep = gw.ready();
    CHECK(ep.port != 0);
    CHECK(ep.metrics_port == 0);
    CHECK(get(ep.port, "/health").status() == 200);
    gw.stop();
    CHECK(gw.result().has_value());
  }

  TEST_CASE("a stop drains: an idle keep-alive connection is closed, a request in flight gets its response") {
    QuietLogs quiet;
    // A provider on a loop of its own that answers after 300 ms.
    std::atomic<bool> asked{false};
    ProviderLoop provider;
    provider.upstream.serve([&asked](Socket& s, int) -> awaitable<void> {
      beast::flat_buffer buffer;
      if (!co_await read_request(s, buffer)) co_return;
      asked = true;
      co_await pause(300ms);
      co_await send(s, canned_response(200, R"({"id":"c1","choices":[]})"));
      co_await wait_closed(s);
    });
    provider.start();

    RunningGateway gw{
        with(kEphemeral, {{"OPENAI_API_URL", provider.upstream.url()}, {"OPENAI_API_KEY", "sk-test"}})};
    auto ep = gw.ready();

    // An idle keep-alive connection: answered once, then waiting for its next request.
    asio::io_context idle_io;
    Socket idle{idle_io};
    idle.connect({asio::ip::make_address("127.0.0.1"), ep.port});
    std::string idle_received;
    bool idle_closed = false;
    asio::co_spawn(
        idle_io,
        [&]() -> awaitable<void> {
          co_await send(idle, "GET /health HTTP/1.1\r\nHost: gw\r\n\r\n");
          char buf[1024];
          for (;;) {
            auto [ec, n] = co_await idle.async_read_some(asio::buffer(buf), as_tuple_awaitable);
            idle_received.append(buf, n);
            if (ec) break;
          }
          idle_closed = true;
        },
        asio::detached);
    idle_io.run_for(300ms);
    REQUIRE(parse_replies(idle_received).size() == 1);
    REQUIRE_FALSE(idle_closed);

    const std::string body = R"({"model":"openai/gpt-4o","messages":[]})";
    auto in_flight = std::async(std::launch::async, [&] {
      return roundtrip(ep.port,
                       "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                       "Content-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body,
                       3000ms);
    });
    for (int i = 0; i < 200 && !asked; ++i) std::this_thread::sleep_for(5ms);
    REQUIRE(asked);
    auto t0 = std::chrono::steady_clock::now();
    gw.stop();

    idle_io.restart();
    idle_io.run_for(1000ms);
    CHECK(idle_closed);
    auto r = parse_replies(in_flight.get());
    REQUIRE(r.size() == 1);
    CHECK(r[0].status() == 200);
    CHECK(r[0].body == R"({"id":"c1","choices":[]})");
    CHECK_FALSE(r[0].keep_alive);  // draining: closed after this response
    CHECK(gw.result().has_value());
    CHECK(std::chrono::steady_clock::now() - t0 < 2500ms);
  }

  TEST_CASE("a port already in use: run_gateway returns an error line naming it, without on_ready") {
    QuietLogs quiet;
    asio::io_context io;
    // Held as another gateway would hold it: with SO_REUSEPORT, which would let a second one share it.
    auto busy = open_acceptor(io, "127.0.0.1", 0, true);
    REQUIRE(busy);
    const auto port = std::to_string(busy->local_endpoint().port());
    std::string key;
    SUBCASE("the API port") {
      key = "SERVER_PORT";
    }
    SUBCASE("the metrics port") {
      key = "TELEMETRY_METRICS_PORT";
    }
    RunningGateway gw{with(kEphemeral, {{key, port}})};
    auto result = gw.result(2000ms);  // no stop needed: start-up fails
    REQUIRE_FALSE(result);
    CAPTURE(result.error());
    CHECK(result.error().find("127.0.0.1:" + port) != std::string::npos);
    CHECK(result.error().find('\n') == std::string::npos);
    CHECK_FALSE(gw.reported_ready());
  }
}
