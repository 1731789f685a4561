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

namespace {

using CallResult = std::expected<HttpAnswer, FetchError>;

// Runs http_call on `io` to its end (bounded).
CallResult run_call(asio::io_context& io, const HttpCall& call, ssl::context* tls, FetchLimits limits = {}) {
  std::optional<CallResult> out;
  io.restart();
  asio::co_spawn(
      io, [&]() -> awaitable<void> { out = co_await http_call(call, tls, limits); }, asio::detached);
  auto end = std::chrono::steady_clock::now() + 5s;
  while (!out && std::chrono::steady_clock::now() < end) io.run_one_for(10ms);
  REQUIRE_MESSAGE(out, "http_call did not finish in time");
  return *out;
}

std::string seen_field(const SeenRequest& r, std::string_view name) {
  auto v = r[beast::string_view{name.data(), name.size()}];
  return std::string{v.data(), v.size()};
}

std::size_t seen_count(const SeenRequest& r, std::string_view name) {
  return r.count(beast::string_view{name.data(), name.size()});
}

}  // namespace

TEST_SUITE("fetch/http_call") {
  TEST_CASE("fetch http_call: a POST carries its body and headers to the server exactly") {
    asio::io_context io;
    FakeUpstream server{io};
    SeenRequests seen;
    server.serve(record_and_answer(seen, [](const SeenRequest&) { return canned_response(200, R"({"ok":true})"); }));
    const std::string url = server.url("/rpc?x=1#frag");
    const std::string body = "{\"jsonrpc\":\"2.0\",\"params\":{\"text\":\"caf\xc3\xa9\\n\"}}\n";
    const HttpCall call{"POST", url,
                        {{"Content-Type", "application/json"},
                         {"X-Custom", "a value, with: colons; and \"quotes\""},
                         {"Mcp-Session-Id", "abc-123"}},
                        body};
    auto r = run_call(io, call, nullptr);
    REQUIRE_MESSAGE(r, r.error().message);
    CHECK(r->status == 200);
    CHECK(r->body == R"({"ok":true})");
    REQUIRE(seen.size() == 1);
    const auto& req = seen[0];
    CHECK(req.method() == http::verb::post);
    CHECK(std::string_view{req.target().data(), req.target().size()} == "/rpc?x=1");
    CHECK(req.body() == body);
    CHECK(seen_field(req, "Content-Length") == std::to_string(body.size()));
    CHECK(seen_count(req, "Content-Length") == 1);
    CHECK(seen_field(req, "Content-Type") == "application/json");
    CHECK(seen_field(req, "X-Custom") == "a value, with: colons; and \"quotes\"");
    CHECK(seen_field(req, "Mcp-Session-Id") == "abc-123");
    CHECK(seen_field(req, "Host") == "127.0.0.1:" + std::to_string(server.port()));
    CHECK(seen_field(req, "User-Agent") == "igw");
    CHECK(seen_field(req, "Accept") == "application/json");  // the default when the call names none
    CHECK(seen_count(req, "Accept") == 1);
    CHECK(seen_count(req, "Transfer-Encoding") == 0);
  }

  TEST_CASE("fetch http_call: an Accept of the call's own replaces the default; other methods on the request line") {
    asio::io_context io;
    FakeUpstream server{io};
    SeenRequests seen;
    server.serve(record_and_answer(seen, [](const SeenRequest&) { return canned_response(200, "{}"); }));
    const std::string url = server.url("/mcp");
    const HttpCall post{"POST", url, {{"accept", "application/json, text/event-stream"}}, "{}"};
    REQUIRE(run_call(io, post, nullptr));
    const HttpCall put{"PUT", url, {}, "x"};
    REQUIRE(run_call(io, put, nullptr));
    const HttpCall del{"DELETE", url, {}, {}};
    REQUIRE(run_call(io, del, nullptr));
    const HttpCall get{"GET", url, {}, {}};
    REQUIRE(run_call(io, get, nullptr));
    REQUIRE(seen.size() == 4);
    CHECK(seen_field(seen[0], "Accept") == "application/json, text/event-stream");
    CHECK(seen_count(seen[0], "Accept") == 1);
    CHECK(seen[1].method() == http::verb::put);
    CHECK(seen[1].body() == "x");
    CHECK(seen[2].method() == http::verb::delete_);
    CHECK(seen_field(seen[2], "Content-Length") == "0");  // a method other than GET says its body is empty
    CHECK(seen[3].method() == http::verb::get);
    CHECK(seen_count(seen[3], "Content-Length") == 0);
  }

  TEST_CASE("fetch http_call: statuses other than 200 are answers, not failures") {
    asio::io_context io;
    FakeUpstream server{io};
    SeenRequests seen;
    server.serve(record_and_answer(seen, [](const SeenRequest& r) {
      auto target = std::string_view{r.target().data(), r.target().size()};
      if (target == "/404") return canned_response(404, "no such thing", "text/plain");
      if (target == "/500") return canned_response(500, R"({"error":"boom"})");
      if (target == "/202") return std::string{"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"};
      return std::string{"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\n\r\n"};
    }));
    struct Case {
      std::string path;
      unsigned status;
      std::string body;
    };
    for (const auto& c : {Case{"/404", 404, "no such thing"}, Case{"/500", 500, R"({"error":"boom"})"},
                          Case{"/202", 202, ""}, Case{"/401", 401, ""}}) {
      CAPTURE(c.path);
      const std::string url = server.url(c.path);
      const HttpCall call{"POST", url, {}, "{}"};
      auto r = run_call(io, call, nullptr);
      REQUIRE_MESSAGE(r, r.error().message);
      CHECK(r->status == c.status);
      CHECK(r->body == c.body);
    }
  }

  TEST_CASE("fetch http_call: header lookup is case-insensitive; the first of repeated headers; absent is empty") {
    asio::io_context io;
    FakeUpstream server{io};
    SeenRequests seen;
    server.serve(record_and_answer(seen, [](const SeenRequest&) {
      return std::string{
          "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nmcp-session-id: sess-42\r\n"
          "X-Twice: first\r\nX-Twice: second\r\nContent-Length: 2\r\n\r\nok"};
    }));
    const std::string url = server.url("/mcp");
    const HttpCall call{"GET", url, {}, {}};
    auto r = run_call(io, call, nullptr);
    REQUIRE_MESSAGE(r, r.error().message);
    CHECK(r->header("Mcp-Session-Id") == "sess-42");
    CHECK(r->header("MCP-SESSION-ID") == "sess-42");
    CHECK(r->header("mcp-session-id") == "sess-42");
    CHECK(r->header("content-type") == "text/event-stream");
    CHECK(r->header("CONTENT-TYPE") == "text/event-stream");
    CHECK(r->header("x-twice") == "first");
    CHECK(r->header("X-Absent").empty());
    CHECK(r->header("Mcp-Session").empty());  // a prefix is not the name
  }

  TEST_CASE("fetch http_call: a header holding CR, LF or another control character is refused as bad_url") {
    asio::io_context io;
    FakeUpstream server{io};
    server.serve(silent());
    const std::string url = server.url("/mcp");
    const std::vector<std::pair<std::string, std::string>> bad{
        {"X-Value", "a\r\nX-Injected: 1"}, {"X-Value", "a\nb"}, {"X-Value", "a\rb"}, {"X-Value", std::string{"a\0b", 3}},
        {"X-Name\r\nX-Injected", "v"},     {"X-Na:me", "v"},    {"", "v"}};
    for (const auto& [name, value] : bad) {
      CAPTURE(name);
      CAPTURE(value);
      const HttpCall call{"POST", url, {{"Content-Type", "application/json"}, {name, value}}, "{}"};
      auto r = run_call(io, call, nullptr);
      REQUIRE_FALSE(r);
      CHECK(r.error().kind == FetchErrorKind::bad_url);
      CHECK(r.error().message.starts_with("POST " + url + ": "));
    }
    settle(io);
    CHECK(server.accepted() == 0);
  }

  TEST_CASE("fetch http_call: bad URLs are bad_url: control characters, not http(s), https without a context") {
    asio::io_context io;
    const std::vector<std::string> urls{"http://127.0.0.1:1/a b", "ftp://127.0.0.1/x", "https://127.0.0.1:1/x", "nonsense"};
    for (const auto& url : urls) {
      CAPTURE(url);
      const HttpCall call{"GET", url, {}, {}};
      auto r = run_call(io, call, nullptr);
      REQUIRE_FALSE(r);
      CHECK(r.error().kind == FetchErrorKind::bad_url);
    }
  }

  TEST_CASE("fetch http_call: a refused connection is kind connect") {
    asio::io_context io;
    const auto url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/mcp";
    const HttpCall call{"POST", url, {}, "{}"};
    auto r = run_call(io, call, nullptr);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == FetchErrorKind::connect);
    CHECK(r.error().message.starts_with("POST " + url + ": "));
  }

  TEST_CASE("fetch http_call: a silent server is kind timeout after the call's timeout") {
    asio::io_context io;
    FakeUpstream server{io};
    server.serve(silent());
    const auto url = server.url("/mcp");
    const HttpCall call{"POST", url, {}, "{}"};
    const auto t0 = std::chrono::steady_clock::now();
    auto r = run_call(io, call, nullptr, {.timeout = 200ms, .max_body = 1024});
    const auto took = std::chrono::steady_clock::now() - t0;
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == FetchErrorKind::timeout);
    CHECK(r.error().message == "POST " + url + ": timed out");
    CHECK(took >= 200ms);
    CHECK(took < 1500ms);
  }

  TEST_CASE("fetch http_call: connect_timeout bounds connecting (TCP and TLS handshake) only") {
    TempDir dir;
    auto cert = make_self_signed(dir, "issuer");
    auto client = client_trusting(cert.cert);
    asio::io_context io;
    SUBCASE("a server that never starts the handshake: timeout after connect_timeout, well before the call's") {
      FakeUpstream server{io};
      server.serve(silent());
      const auto url = "https://127.0.0.1:" + std::to_string(server.port()) + "/mcp";
      const HttpCall call{"GET", url, {}, {}};
      const auto t0 = std::chrono::steady_clock::now();
      auto r = run_call(io, call, client.get(), {.timeout = 4s, .max_body = 1024, .connect_timeout = 150ms});
      const auto took = std::chrono::steady_clock::now() - t0;
      REQUIRE_FALSE(r);
      CHECK(r.error().kind == FetchErrorKind::timeout);
      CHECK(took >= 150ms);
      CHECK(took < 2s);
    }
    SUBCASE("a handshake slower than connect_timeout: timeout") {
      TlsServer server{io, cert, 300ms};
      const auto url = server.url("/mcp");
      const HttpCall call{"GET", url, {}, {}};
      auto r = run_call(io, call, client.get(), {.timeout = 4s, .max_body = 1024, .connect_timeout = 100ms});
      REQUIRE_FALSE(r);
      CHECK(r.error().kind == FetchErrorKind::timeout);
      CHECK_FALSE(server.answered);
    }
    SUBCASE("a slow answer after a quick handshake: only the call's timeout applies") {
      TlsServer server{io, cert, 0ms};
      FakeUpstream slow{io};
      slow.serve([](Socket& s, int) -> awaitable<void> {
        beast::flat_buffer buffer;
        auto req = co_await read_request(s, buffer);
        if (!req) co_return;
        co_await pause(300ms);
        co_await send(s, kHello);
      });
      const auto url = slow.url("/mcp");
      const HttpCall call{"GET", url, {}, {}};
      auto r = run_call(io, call, nullptr, {.timeout = 3s, .max_body = 1024, .connect_timeout = 100ms});
      REQUIRE_MESSAGE(r, r.error().message);
      CHECK(r->status == 200);
      CHECK(r->body == "hello");
      const std::string tls_url = server.url("/x");
      const HttpCall tls_call{"GET", tls_url, {}, {}};
      auto tls_r = run_call(io, tls_call, client.get(), {.timeout = 3s, .max_body = 1024, .connect_timeout = 1s});
      REQUIRE_MESSAGE(tls_r, tls_r.error().message);
      CHECK(tls_r->body == "hello");
    }
  }

  TEST_CASE("fetch http_call: a body over max_body is kind too_large") {
    asio::io_context io;
    FakeUpstream server{io};
    Seen seen;
    const std::string twenty(20, 'x');
    SUBCASE("Content-Length") { server.serve(answer(seen, "HTTP/1.1 500 X\r\nContent-Length: 20\r\n\r\n" + twenty)); }
    SUBCASE("chunked") {
      server.serve(answer(seen, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(twenty.substr(0, 6)) +
                                    chunk(twenty.substr(6)) + "0\r\n\r\n"));
    }
    const auto url = server.url("/mcp");
    const HttpCall call{"POST", url, {}, "{}"};
    auto r = run_call(io, call, nullptr, {.timeout = 2s, .max_body = 8});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == FetchErrorKind::too_large);
    CHECK(r.error().message == "POST " + url + ": the answer is larger than 8 bytes");
  }

  TEST_CASE("fetch http_call: an untrusted certificate is kind tls; a body cut short is kind io") {
    asio::io_context io;
    SUBCASE("tls") {
      TempDir dir;
      auto cert = make_self_signed(dir, "issuer");
      auto other = make_self_signed(dir, "other");
      auto client = client_trusting(other.cert);
      TlsServer server{io, cert};
      const std::string url = server.url("/x");
      const HttpCall call{"GET", url, {}, {}};
      auto r = run_call(io, call, client.get());
      REQUIRE_FALSE(r);
      CHECK_MESSAGE(r.error().kind == FetchErrorKind::tls, r.error().message);
    }
    SUBCASE("io") {
      FakeUpstream server{io};
      Seen seen;
      server.serve(answer(seen, "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"keys\":"));
      const auto url = server.url("/x");
      const HttpCall call{"GET", url, {}, {}};
      auto r = run_call(io, call, nullptr);
      REQUIRE_FALSE(r);
      CHECK(r.error().kind == FetchErrorKind::io);
    }
  }
}
