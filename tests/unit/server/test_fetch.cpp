#include <doctest/doctest.h>

#include <boost/asio/ssl.hpp>

#include "data_plane.hpp"
#include "server/fetch.hpp"
#include "server/tls.hpp"
#include "tls_files.hpp"

using namespace igw::server;
using namespace igw::server::testing;
using namespace std::chrono_literals;

namespace {

using Result = std::expected<std::string, std::string>;

constexpr std::string_view kHello =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello";

// What the fake server saw of the one request it read.
struct Seen {
  std::string target, host;
  int requests = 0;
};

// Reads one request, records it and answers with `response`, then closes.
FakeUpstream::Script answer(Seen& seen, std::string response) {
  return [&seen, response](Socket& s, int) -> awaitable<void> {
    beast::flat_buffer buffer;
    auto req = co_await read_request(s, buffer);
    if (!req) co_return;
    ++seen.requests;
    seen.target = std::string{req->target()};
    seen.host = std::string{(*req)[http::field::host]};
    co_await send(s, response);
  };
}

// Accepts and then says nothing until the client goes.
FakeUpstream::Script silent() {
  return [](Socket& s, int) -> awaitable<void> { co_await wait_closed(s); };
}

// Runs fetch on `io` to its end (bounded, so a broken fetch fails the test instead of hanging).
Result run_fetch(asio::io_context& io, const std::string& url, ssl::context* tls, FetchLimits limits = {}) {
  std::optional<Result> out;
  io.restart();
  asio::co_spawn(
      io, [&]() -> awaitable<void> { out = co_await fetch(url, tls, limits); }, asio::detached);
  auto end = std::chrono::steady_clock::now() + 3s;
  while (!out && std::chrono::steady_clock::now() < end) io.run_one_for(10ms);
  REQUIRE_MESSAGE(out, "fetch did not finish in time");
  return *out;
}

// Lets the loop run a little: long enough for a connection that was made to be accepted.
void settle(asio::io_context& io) {
  io.restart();
  io.run_for(50ms);
}

std::uint16_t closed_port() {
  asio::io_context io;
  tcp::acceptor a{io, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
  return a.local_endpoint().port();
}

// A TLS server on 127.0.0.1:0 with the certificate `cert`, answering one request with kHello; `delay`
// before the handshake and again before the answer.
struct TlsServer {
  std::unique_ptr<ssl::context> ctx;
  Acceptor acceptor;
  std::chrono::milliseconds delay;
  bool answered = false;

  TlsServer(asio::io_context& io, const SelfSigned& cert, std::chrono::milliseconds delay_each = 0ms)
      : acceptor(io.get_executor(), tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}),
        delay(delay_each) {
    auto made = make_server_tls(
        load_config({{"SERVER_TLS_CERT_PATH", cert.cert}, {"SERVER_TLS_KEY_PATH", cert.key}}));
    REQUIRE(made);
    ctx = std::move(*made);
    asio::co_spawn(io, serve(), asio::detached);
  }

  std::string url(std::string_view path) const {
    return "https://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + std::string{path};
  }

  awaitable<void> serve() {
    auto [ec, socket] = co_await acceptor.async_accept(as_tuple_awaitable);
    if (ec) co_return;
    co_await pause(delay);
    ssl::stream<Socket> tls{std::move(socket), *ctx};
    auto [hec] = co_await tls.async_handshake(ssl::stream_base::server, as_tuple_awaitable);
    if (hec) co_return;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    auto [rec, n] = co_await http::async_read(tls, buffer, req, as_tuple_awaitable);
    (void)n;
    if (rec) co_return;
    co_await pause(delay);
    co_await asio::async_write(tls, asio::buffer(kHello.data(), kHello.size()), as_tuple_awaitable);
    answered = true;
    co_await tls.async_shutdown(as_tuple_awaitable);
  }
};

// A client context trusting only `ca_file`, as the gateway builds it from CLIENT_CA_FILE.
std::unique_ptr<ssl::context> client_trusting(const std::string& ca_file) {
  auto made = make_client_tls(load_config({{"CLIENT_CA_FILE", ca_file}}));
  REQUIRE(made);
  return std::move(*made);
}

}  // namespace

TEST_SUITE("fetch") {
  TEST_CASE("a 200 answer with Content-Length: its body") {
    asio::io_context io;
    FakeUpstream server{io};
    Seen seen;
    server.serve(answer(seen, std::string{kHello}));
    auto r = run_fetch(io, server.url("/jwks"), nullptr);
    REQUIRE_MESSAGE(r, r.error());
    CHECK(*r == "hello");
    CHECK(seen.requests == 1);
  }

  TEST_CASE("a 200 answer in chunks: the chunks joined") {
    asio::io_context io;
    FakeUpstream server{io};
    Seen seen;
    server.serve(answer(seen, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("{\"keys\":") +
                                  chunk("[]}") + "0\r\n\r\n"));
    auto r = run_fetch(io, server.url("/jwks"), nullptr);
    REQUIRE_MESSAGE(r, r.error());
    CHECK(*r == R"({"keys":[]})");
  }

  TEST_CASE(
      "the request line carries the URL's path and query, never its fragment, and Host names the server") {
    asio::io_context io;
    FakeUpstream server{io};
    Seen seen;
    server.serve(answer(seen, std::string{kHello}));
    const std::string base = server.url("");
    const std::string host = "127.0.0.1:" + std::to_string(server.port());
    const std::vector<std::pair<std::string, std::string>> cases{
        {"/realms/igw/certs?a=1&b=2#frag", "/realms/igw/certs?a=1&b=2"},
        {"/.well-known/openid-configuration", "/.well-known/openid-configuration"},
        {"/path#frag?not-a-query", "/path"},
        {"", "/"},
        {"?x=1", "/?x=1"},
        {"#frag", "/"},
    };
    for (const auto& [suffix, target] : cases) {
      CAPTURE(suffix);
      auto r = run_fetch(io, base + suffix, nullptr);
      REQUIRE_MESSAGE(r, r.error());
      CHECK(seen.target == target);
      CHECK(seen.host == host);
    }
  }

  TEST_CASE("a status other than 200 is an error naming the URL and the status") {
    asio::io_context io;
    FakeUpstream server{io};
    Seen seen;
    server.serve(answer(seen, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"));
    const auto url = server.url("/jwks");
    auto r = run_fetch(io, url, nullptr);
    REQUIRE_FALSE(r);
    CHECK(r.error() == "GET " + url + ": status 404");
  }

  TEST_CASE("a body over max_body is an error naming the limit, by Content-Length or by its chunks") {
    asio::io_context io;
    FakeUpstream server{io};
    Seen seen;
    const std::string twenty(20, 'x');
    SUBCASE("Content-Length") {
      server.serve(answer(seen, "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n" + twenty));
    }
    SUBCASE("chunked") {
      server.serve(answer(seen, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                    chunk(twenty.substr(0, 6)) + chunk(twenty.substr(6)) + "0\r\n\r\n"));
    }
    const auto url = server.url("/jwks");
    auto r = run_fetch(io, url, nullptr, {.timeout = 2s, .max_body = 8});
    REQUIRE_FALSE(r);
    CHECK(r.error() == "GET " + url + ": the answer is larger than 8 bytes");
  }

  TEST_CASE("a body exactly at max_body is accepted") {
    asio::io_context io;
    FakeUpstream server{io};
    Seen seen;
    server.serve(answer(seen, std::string{kHello}));
    auto r = run_fetch(io, server.url("/jwks"), nullptr, {.timeout = 2s, .max_body = 5});
    REQUIRE_MESSAGE(r, r.error());
    CHECK(*r == "hello");
  }

  TEST_CASE("a body cut short by the close is an error, not a short body") {
    asio::io_context io;
    FakeUpstream server{io};
    Seen seen;
    server.serve(answer(seen, "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"keys\":"));
    const auto url = server.url("/jwks");
    auto r = run_fetch(io, url, nullptr);
    REQUIRE_FALSE(r);
    CHECK(r.error().starts_with("GET " + url + ": "));
  }

  TEST_CASE("a server that never answers: the timeout ends the call with \"timed out\"") {
    asio::io_context io;
    FakeUpstream server{io};
    server.serve(silent());
    const auto url = server.url("/jwks");
    const auto t0 = std::chrono::steady_clock::now();
    auto r = run_fetch(io, url, nullptr, {.timeout = 200ms, .max_body = 1024});
    const auto took = std::chrono::steady_clock::now() - t0;
    REQUIRE_FALSE(r);
    CHECK(r.error() == "GET " + url + ": timed out");
    CHECK(took >= 200ms);
    CHECK(took < 1500ms);
  }

  TEST_CASE("a refused connection is an error naming the URL") {
    asio::io_context io;
    const auto url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/jwks";
    auto r = run_fetch(io, url, nullptr);
    REQUIRE_FALSE(r);
    CHECK(r.error().starts_with("GET " + url + ": "));
    CHECK(r.error().find("refused") != std::string::npos);
  }

  TEST_CASE("a URL holding a space or a control character is refused without connecting") {
    asio::io_context io;
    FakeUpstream server{io};
    server.serve(silent());
    const std::vector<std::string> bad_parts{" x", "\x01", "\r\nX-Injected: 1", "\x7f",
                                             std::string{"a\0b", 3}};
    for (const auto& bad : bad_parts) {
      const auto url = server.url("/jwks") + bad;
      CAPTURE(url);
      auto r = run_fetch(io, url, nullptr);
      REQUIRE_FALSE(r);
      CHECK(r.error() == "GET " + url + ": the URL holds a space or control character");
    }
    settle(io);
    CHECK(server.accepted() == 0);
  }

  TEST_CASE("a URL that is not http(s) is an error naming it") {
    asio::io_context io;
    auto r = run_fetch(io, "ftp://127.0.0.1/jwks", nullptr);
    REQUIRE_FALSE(r);
    CHECK(r.error().starts_with("GET ftp://127.0.0.1/jwks: "));
    CHECK(r.error().find("http://") != std::string::npos);
  }

  TEST_CASE("https without a TLS context is refused without connecting") {
    asio::io_context io;
    FakeUpstream server{io};
    server.serve(silent());
    const auto url = "https://127.0.0.1:" + std::to_string(server.port()) + "/jwks";
    auto r = run_fetch(io, url, nullptr);
    REQUIRE_FALSE(r);
    CHECK(r.error() == "GET " + url + ": https is not available here");
    settle(io);
    CHECK(server.accepted() == 0);
  }

  TEST_CASE("https to a server whose certificate the context trusts: the body") {
    TempDir dir;
    auto cert = make_self_signed(dir, "issuer");
    auto client = client_trusting(cert.cert);
    asio::io_context io;
    TlsServer server{io, cert};
    auto r = run_fetch(io, server.url("/jwks"), client.get());
    REQUIRE_MESSAGE(r, r.error());
    CHECK(*r == "hello");
    CHECK(server.answered);
  }

  TEST_CASE("https to a server whose certificate the context does not trust: an error, nothing sent") {
    TempDir dir;
    auto cert = make_self_signed(dir, "issuer");
    auto other = make_self_signed(dir, "other");
    auto client = client_trusting(other.cert);
    asio::io_context io;
    TlsServer server{io, cert};
    const auto url = server.url("/jwks");
    auto r = run_fetch(io, url, client.get());
    REQUIRE_FALSE(r);
    CHECK(r.error().starts_with("GET " + url + ": "));
    CHECK(r.error().find("certificate") != std::string::npos);
    CHECK_FALSE(server.answered);
  }

  TEST_CASE("https to a server that never starts the handshake: the timeout ends the call") {
    TempDir dir;
    auto cert = make_self_signed(dir, "issuer");
    auto client = client_trusting(cert.cert);
    asio::io_context io;
    FakeUpstream server{io};
    server.serve(silent());
    const auto url = "https://127.0.0.1:" + std::to_string(server.port()) + "/jwks";
    auto r = run_fetch(io, url, client.get(), {.timeout = 200ms, .max_body = 1024});
    REQUIRE_FALSE(r);
    CHECK(r.error() == "GET " + url + ": timed out");
  }

  TEST_CASE("the timeout bounds the whole call, not each phase") {
    TempDir dir;
    auto cert = make_self_signed(dir, "issuer");
    auto client = client_trusting(cert.cert);
    asio::io_context io;
    TlsServer server{io, cert, 150ms};  // slow to shake hands and slow to answer: 300 ms in all
    auto r = run_fetch(io, server.url("/jwks"), client.get(), {.timeout = 200ms, .max_body = 1024});
    REQUIRE_FALSE(r);
    CHECK(r.error() == "GET " + server.url("/jwks") + ": timed out");
  }
}
