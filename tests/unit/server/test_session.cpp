#include <doctest/doctest.h>

#include <regex>

#include <boost/asio/ssl.hpp>

#include "data_plane.hpp"
#include "server/errors.hpp"
#include "server/session.hpp"
#include "server/tls.hpp"
#include "tls_files.hpp"

using namespace igw::server;
using namespace igw::server::testing;
using namespace std::chrono_literals;
namespace config = igw::config;

namespace {

constexpr std::string_view kHealth = "GET /health HTTP/1.1\r\nHost: gw\r\n\r\n";

// One client connection served by serve_connection on a worker's loop; the client's end is a plain socket
// written to synchronously, whose received bytes are collected by a reader on the same loop.
struct Session {
  GatewayState state;
  std::string received;
  bool client_eof = false;
  bool served = false;  // serve_connection returned
  std::unique_ptr<ssl::context> tls;
  std::optional<Worker> worker;  // after what its coroutines point to
  std::optional<Socket> client;

  explicit Session(const config::Environment& env = {}, bool with_tls = false) {
    auto cfg = load_config(env);
    auto loaded = load_state(cfg, state);
    if (!loaded) FAIL(loaded.error());
    if (with_tls) {
      auto made = make_server_tls(cfg);
      REQUIRE(made);
      tls = std::move(*made);
    }
    worker.emplace(state, tls.get());
    Acceptor acceptor{io().get_executor(), tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
    client.emplace(io().get_executor());
    client->connect(acceptor.local_endpoint());
    asio::co_spawn(io(), serve_connection(*worker, acceptor.accept()), [this](std::exception_ptr e) {
      served = true;
      if (e) std::rethrow_exception(e);
    });
  }

  asio::io_context& io() { return worker->ioc; }

  // Collects what the client receives until the gateway closes (for plain sessions).
  void start_reading() {
    asio::co_spawn(
        io(),
        [this]() -> awaitable<void> {
          char buf[4096];
          for (;;) {
            auto [ec, n] = co_await client->async_read_some(asio::buffer(buf), as_tuple_awaitable);
            received.append(buf, n);
            if (ec) break;
          }
          client_eof = true;
        },
        asio::detached);
  }

  void send(std::string_view bytes) {
    error_code ec;
    asio::write(*client, asio::buffer(bytes.data(), bytes.size()), ec);
    REQUIRE_FALSE(ec);
  }

  template <class Pred>
  bool run_until(Pred pred, std::chrono::milliseconds limit = 2000ms) {
    auto end = std::chrono::steady_clock::now() + limit;
    io().restart();
    while (!pred() && std::chrono::steady_clock::now() < end) io().run_one_for(10ms);
    return pred();
  }

  // Runs until `n` complete responses arrived.
  std::vector<Reply> replies(std::size_t n) {
    std::vector<Reply> out;
    run_until([&] {
      out = parse_replies(received);
      return out.size() >= n && out[n - 1].complete;
    });
    REQUIRE(out.size() >= n);
    return out;
  }
  bool closed() {
    return run_until([&] { return client_eof && served; });
  }
};

bool is_uuid_v4(const std::string& s) {
  static const std::regex kShape{"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"};
  return std::regex_match(s, kShape);
}

std::string post(std::string_view body, std::string_view headers = {}) {
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n" +
         std::string{headers} + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string{body};
}

}  // namespace

TEST_SUITE("session") {
  TEST_CASE("keep-alive: two requests one after the other on one connection, which stays open") {
    Session s;
    s.start_reading();
    s.send(kHealth);
    auto first = s.replies(1);
    CHECK(first[0].status() == 200);
    CHECK(first[0].keep_alive);
    CHECK(first[0].body == R"({"message":"OK"})");
    CHECK(s.state.open_connections.load() == 1);
    CHECK(s.worker->connections.size() == 1);
    s.send(kHealth);
    auto both = s.replies(2);
    REQUIRE(both.size() == 2);
    CHECK(both[1].status() == 200);
    CHECK(both[1].body == R"({"message":"OK"})");
    CHECK_FALSE(s.client_eof);
    CHECK_FALSE(s.served);
  }

  TEST_CASE("pipelined requests are answered in order") {
    Session s;
    s.start_reading();
    s.send(
        "GET /health HTTP/1.1\r\nHost: gw\r\nX-Request-Id: one\r\n\r\n"
        "GET /nope HTTP/1.1\r\nHost: gw\r\nX-Request-Id: two\r\n\r\n"
        "GET /v1/mcp/tools HTTP/1.1\r\nHost: gw\r\nX-Request-Id: three\r\n\r\n");
    auto r = s.replies(3);
    REQUIRE(r.size() == 3);
    CHECK(r[0].status() == 200);
    CHECK(r[0].field("X-Request-Id") == "one");
    CHECK(r[1].status() == 404);
    CHECK(r[1].body == errors::body(404, errors::code::route_not_found, errors::route_not_found()));
    CHECK(r[1].field("X-Request-Id") == "two");
    CHECK(r[2].status() == 403);
    CHECK(r[2].field("X-Request-Id") == "three");
    CHECK_FALSE(s.served);
  }

  TEST_CASE("the connection closes after the response to HTTP/1.0, or to Connection: close") {
    Session s;
    s.start_reading();
    SUBCASE("HTTP/1.0") {
      s.send("GET /health HTTP/1.0\r\n\r\n");
    }
    SUBCASE("Connection: close") {
      s.send("GET /health HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
    }
    REQUIRE(s.closed());
    auto r = parse_replies(s.received);
    REQUIRE(r.size() == 1);
    CHECK(r[0].complete);
    CHECK(r[0].status() == 200);
    CHECK_FALSE(r[0].keep_alive);
    // Unregistered from the drain's list and the count.
    CHECK(s.state.open_connections.load() == 0);
    CHECK(s.worker->connections.empty());
  }

  TEST_CASE("HTTP/1.0 with Connection: keep-alive: answered as keep-alive, the connection kept") {
    Session s;
    s.start_reading();
    s.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    auto r = s.replies(1);
    CHECK(r[0].status() == 200);
    CHECK(r[0].keep_alive);
    CHECK(r[0].head.version() == 10);
    s.send("GET /health HTTP/1.0\r\n\r\n");
    REQUIRE(s.closed());
    auto both = parse_replies(s.received);
    REQUIRE(both.size() == 2);
    CHECK(both[1].status() == 200);
    CHECK_FALSE(both[1].keep_alive);
  }

  TEST_CASE("a body over SERVER_MAX_REQUEST_BODY_SIZE: 413 naming the limit, then the connection closes") {
    Session s{{{"SERVER_MAX_REQUEST_BODY_SIZE", "1024"}}};
    s.start_reading();
    const std::string body(2000, 'x');
    SUBCASE("declared by Content-Length") {
      s.send(post(body));
    }
    SUBCASE("chunked") {
      s.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n" +
             chunk(body.substr(0, 1000)) + chunk(body.substr(1000)) + "0\r\n\r\n");
    }
    CHECK(s.run_until([&] { return s.client_eof; }));
    auto r = parse_replies(s.received);
    REQUIRE(r.size() == 1);
    CHECK(r[0].status() == 413);
    CHECK(r[0].body == errors::body(413, errors::code::request_too_large, errors::body_too_large(1024)));
    CHECK_FALSE(r[0].keep_alive);
    s.client->close();  // ends the linger at once
    CHECK(s.closed());
  }

  TEST_CASE("a body within SERVER_MAX_REQUEST_BODY_SIZE is read and handled") {
    Session s{{{"SERVER_MAX_REQUEST_BODY_SIZE", "1024"}}};
    s.start_reading();
    s.send(post(std::string(1024, ' ')));  // whitespace only: not JSON, so the handler answers 400
    auto r = s.replies(1);
    CHECK(r[0].status() == 400);
    CHECK(r[0].body == errors::body(400, errors::code::invalid_json, errors::decode_failed()));
  }

  TEST_CASE("a head over 64 KiB: 431, then the connection closes") {
    Session s;
    s.start_reading();
    s.send("GET /health HTTP/1.1\r\nHost: gw\r\nX-Big: " + std::string(70 * 1024, 'a') + "\r\n\r\n");
    CHECK(s.run_until([&] { return s.client_eof; }));
    auto r = parse_replies(s.received);
    REQUIRE(r.size() == 1);
    CHECK(r[0].status() == 431);
    CHECK(r[0].body ==
          errors::body(431, errors::code::headers_too_large, errors::header_too_large(64 * 1024)));
    s.client->close();
    CHECK(s.closed());
  }

  TEST_CASE("a head just under 64 KiB is served") {
    Session s;
    s.start_reading();
    s.send("GET /health HTTP/1.1\r\nHost: gw\r\nX-Big: " + std::string(60 * 1024, 'a') + "\r\n\r\n");
    auto r = s.replies(1);
    CHECK(r[0].status() == 200);
  }

  TEST_CASE("Expect: 100-continue gets the interim 100 before the body is sent; without it, none") {
    Session s;
    s.start_reading();
    const std::string body = "{";  // malformed: the handler answers 400 without a provider
    SUBCASE("Expect: 100-continue") {
      std::string request = post(body, "Expect: 100-continue\r\n");
      s.send(request.substr(0, request.size() - body.size()));
      constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      REQUIRE(s.run_until([&] { return s.received.size() >= kContinue.size(); }));
      CHECK(s.received == kContinue);
      s.send(body);
      REQUIRE(s.run_until([&] { return s.received.find("Failed to decode request") != std::string::npos; }));
      CHECK(s.received.starts_with(kContinue));
      auto r = parse_replies(std::string_view{s.received}.substr(kContinue.size()));
      REQUIRE(r.size() == 1);
      CHECK(r[0].status() == 400);
    }
    SUBCASE("no Expect") {
      s.send(post(body));
      auto r = s.replies(1);
      CHECK(s.received.starts_with("HTTP/1.1 400 "));
      CHECK(r[0].status() == 400);
    }
  }

  // A HEAD response has no content (RFC 9110 9.3.2): the next response on the connection follows its head.
  TEST_CASE("a HEAD request gets a head without a body; the next response on the connection follows it") {
    Session s;
    s.start_reading();
    s.send("HEAD /health HTTP/1.1\r\nHost: gw\r\n\r\n");
    s.send(kHealth);
    REQUIRE(s.run_until([&] { return s.received.find("\r\n\r\n") != std::string::npos; }));
    s.run_until([] { return false; }, 100ms);  // whatever else arrives
    auto head_end = s.received.find("\r\n\r\n") + 4;
    CHECK(s.received.substr(head_end).starts_with("HTTP/1.1 200 OK\r\n"));
  }

  TEST_CASE("X-Request-Id: echoed when sane, a new UUIDv4 otherwise") {
    Session s;
    s.start_reading();
    s.send("GET /health HTTP/1.1\r\nHost: gw\r\nX-Request-Id: abc-123_XYZ.7\r\n\r\n");
    s.send(kHealth);
    s.send("GET /health HTTP/1.1\r\nHost: gw\r\nX-Request-Id: has space\r\n\r\n");
    s.send("GET /health HTTP/1.1\r\nHost: gw\r\nX-Request-Id: " + std::string(129, 'a') + "\r\n\r\n");
    s.send("GET /health HTTP/1.1\r\nHost: gw\r\nX-Request-Id: " + std::string(128, 'b') + "\r\n\r\n");
    auto r = s.replies(5);
    REQUIRE(r.size() == 5);
    CHECK(r[0].field("X-Request-Id") == "abc-123_XYZ.7");
    for (int i : {1, 2, 3}) {
      CAPTURE(i);
      CHECK(is_uuid_v4(r[i].field("X-Request-Id")));
    }
    CHECK(r[1].field("X-Request-Id") != r[2].field("X-Request-Id"));
    CHECK(r[4].field("X-Request-Id") == std::string(128, 'b'));
  }

  TEST_CASE("the read timeout closes a client that sends nothing, or a head too slowly") {
    Session s{{{"SERVER_READ_TIMEOUT", "200ms"}}};
    s.start_reading();
    SUBCASE("nothing sent") {}
    SUBCASE("half a head") {
      s.send("GET /health HTTP/1.1\r\nHost: gw\r\n");
    }
    auto t0 = std::chrono::steady_clock::now();
    REQUIRE(s.closed());
    auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took >= 150ms);
    CHECK(took < 1500ms);
    CHECK(s.received.empty());  // no response: the connection is just closed
  }

  TEST_CASE("the read timeout bounds a body that arrives too slowly") {
    Session s{{{"SERVER_READ_TIMEOUT", "200ms"}}};
    s.start_reading();
    std::string request = post(R"({"model":"openai/m"})");
    s.send(request.substr(0, request.size() - 5));
    auto t0 = std::chrono::steady_clock::now();
    REQUIRE(s.closed());
    CHECK(std::chrono::steady_clock::now() - t0 >= 150ms);
    CHECK(s.received.empty());
  }

  TEST_CASE("SERVER_IDLE_TIMEOUT closes a keep-alive connection idle after its response") {
    Session s{{{"SERVER_IDLE_TIMEOUT", "200ms"}, {"SERVER_READ_TIMEOUT", "5s"}}};
    s.start_reading();
    s.send(kHealth);
    auto r = s.replies(1);
    CHECK(r[0].keep_alive);
    auto t0 = std::chrono::steady_clock::now();
    REQUIRE(s.closed());
    auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took >= 150ms);
    CHECK(took < 1500ms);
  }

  TEST_CASE("while draining, the connection closes after the response in progress") {
    Session s;
    s.start_reading();
    s.send(kHealth);
    auto r = s.replies(1);
    CHECK(r[0].keep_alive);
    s.state.draining = true;
    s.send(kHealth);  // read while the loop waits for it: answered, then the connection closes
    REQUIRE(s.closed());
    auto all = parse_replies(s.received);
    REQUIRE(all.size() == 2);
    CHECK(all[1].status() == 200);
    CHECK_FALSE(all[1].keep_alive);
  }

  TEST_CASE("HTTPS: the TLS handshake, then requests as usual; a client speaking plain HTTP is closed") {
    TempDir dir;
    auto cert = make_self_signed(dir, "gateway");
    Session s{{{"SERVER_TLS_CERT_PATH", cert.cert}, {"SERVER_TLS_KEY_PATH", cert.key}}, true};
    SUBCASE("TLS client") {
      ssl::context client_ctx{ssl::context::tls_client};
      client_ctx.load_verify_file(cert.cert);
      client_ctx.set_verify_mode(ssl::verify_peer);
      ssl::stream<Socket&> tls{*s.client, client_ctx};
      std::optional<http::response<http::string_body>> res;
      asio::co_spawn(
          s.io(),
          [&]() -> awaitable<void> {
            auto [hec] = co_await tls.async_handshake(ssl::stream_base::client, as_tuple_awaitable);
            if (hec) co_return;
            co_await asio::async_write(tls, asio::buffer(kHealth.data(), kHealth.size()), as_tuple_awaitable);
            beast::flat_buffer buffer;
            http::response<http::string_body> r;
            auto [rec, n] = co_await http::async_read(tls, buffer, r, as_tuple_awaitable);
            (void)n;
            if (!rec) res = std::move(r);
          },
          asio::detached);
      REQUIRE(s.run_until([&] { return res.has_value(); }));
      CHECK(res->result_int() == 200);
      CHECK(res->body() == R"({"message":"OK"})");
    }
    SUBCASE("plain HTTP to the TLS port") {
      s.start_reading();
      s.send(kHealth);
      CHECK(s.closed());
      CHECK(s.received.find("200 OK") == std::string::npos);
    }
  }
}
