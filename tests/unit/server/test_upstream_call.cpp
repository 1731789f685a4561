#include <doctest/doctest.h>

#include <boost/asio/ssl.hpp>

#include "data_plane.hpp"
#include "server/errors.hpp"
#include "server/tls.hpp"
#include "server/upstream_call.hpp"
#include "tls_files.hpp"

using namespace igw::server;
using namespace igw::server::testing;
using namespace std::chrono_literals;
namespace config = igw::config;

namespace {

using UpstreamSeen = std::vector<http::request<http::string_body>>;

constexpr std::string_view kOk =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";

// Answers every request on every connection with `response`, recording the requests.
FakeUpstream::Script answer_all(UpstreamSeen& seen, std::string response) {
  return [&seen, response](Socket& s, int) -> awaitable<void> {
    beast::flat_buffer buffer;
    while (auto req = co_await read_request(s, buffer)) {
      seen.push_back(std::move(*req));
      co_await send(s, response);
    }
  };
}

struct Outcome {
  std::optional<UpstreamFailure> failure;
  std::string body;
  bool body_failed = false;
};

// One call: send, then (when it got an answer) the whole body.
Outcome call_once(Gateway& g, UpstreamCall& call, UpstreamRequest& req) {
  Outcome out;
  g.run([&]() -> awaitable<void> {
    out.failure = co_await call.send(req);
    if (out.failure) co_return;
    auto body = co_await call.read_all();
    if (body)
      out.body = *body;
    else
      out.body_failed = true;
  });
  return out;
}

UpstreamRequest chat_request() {
  UpstreamRequest req{"POST", "/v1/chat/completions"};
  req.set("Content-Type", "application/json");
  req.body() = R"({"model":"m"})";
  return req;
}

// A port nothing listens on.
std::uint16_t closed_port() {
  asio::io_context io;
  tcp::acceptor a{io, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
  return a.local_endpoint().port();
}

// A TLS provider on 127.0.0.1:0 with the certificate `cert`: answers one request with kOk and records the
// name the client asked for (SNI) and the request's Host.
struct TlsUpstream {
  std::unique_ptr<ssl::context> ctx;
  Acceptor acceptor;
  std::string sni, host;
  bool answered = false;

  TlsUpstream(asio::io_context& io, const SelfSigned& cert)
      : acceptor(io.get_executor(), tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}) {
    auto made = make_server_tls(
        load_config({{"SERVER_TLS_CERT_PATH", cert.cert}, {"SERVER_TLS_KEY_PATH", cert.key}}));
    REQUIRE(made);
    ctx = std::move(*made);
    asio::co_spawn(io, serve(), asio::detached);
  }

  awaitable<void> serve() {
    auto [ec, socket] = co_await acceptor.async_accept(as_tuple_awaitable);
    if (ec) co_return;
    ssl::stream<Socket> tls{std::move(socket), *ctx};
    auto [hec] = co_await tls.async_handshake(ssl::stream_base::server, as_tuple_awaitable);
    if (hec) co_return;
    if (const char* name = SSL_get_servername(tls.native_handle(), TLSEXT_NAMETYPE_host_name)) sni = name;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    auto [rec, n] = co_await http::async_read(tls, buffer, req, as_tuple_awaitable);
    (void)n;
    if (rec) co_return;
    host = std::string{req[http::field::host]};
    co_await asio::async_write(tls, asio::buffer(kOk.data(), kOk.size()), as_tuple_awaitable);
    answered = true;
    char byte;
    co_await tls.async_read_some(asio::buffer(&byte, 1), as_tuple_awaitable);  // until the client goes
  }
};

// One call to an HTTPS provider serving `cert` on `host`, with CLIENT_CA_FILE=`ca`: what came back and
// what the provider saw.
struct HttpsResult {
  Outcome out;
  std::string sni, host;
  bool answered = false;
  std::uint16_t port = 0;
};
HttpsResult https_call(const SelfSigned& cert, const std::string& ca, std::string_view host) {
  auto client_tls = make_client_tls(load_config({{"CLIENT_CA_FILE", ca}}));
  REQUIRE(client_tls);
  Gateway g;
  g.state.client_tls = client_tls->get();
  TlsUpstream up{g.io(), cert};
  HttpsResult r;
  r.port = up.acceptor.local_endpoint().port();
  g.load({{"OPENAI_API_URL", "https://" + std::string{host} + ":" + std::to_string(r.port) + "/v1"},
          {"OPENAI_API_KEY", "sk-test"}});
  UpstreamCall call{g.worker->pool, g.state, g.provider("openai"), false};
  auto req = chat_request();
  r.out = call_once(g, call, req);
  r.sni = up.sni;
  r.host = up.host;
  r.answered = up.answered;
  return r;
}

}  // namespace

TEST_SUITE("upstream_call") {
  TEST_CASE("https: SNI and the Host name go out, the certificate is verified against CLIENT_CA_FILE") {
    TempDir dir;
    auto cert = make_self_signed(dir, "provider");
    auto r = https_call(cert, cert.cert, "localhost");
    REQUIRE_FALSE(r.out.failure);
    CHECK(r.out.body == R"({"ok":true})");
    CHECK(r.answered);
    CHECK(r.sni == "localhost");
    CHECK(r.host == "localhost:" + std::to_string(r.port));
  }

  TEST_CASE("https to a provider whose certificate is not trusted: 502, reason tls, the verification error") {
    TempDir dir;
    auto cert = make_self_signed(dir, "provider");
    auto stranger = make_self_signed(dir, "stranger");
    auto r = https_call(cert, stranger.cert, "127.0.0.1");
    REQUIRE(r.out.failure);
    CHECK(r.out.failure->status == 502);
    CHECK(r.out.failure->reason == reason::tls);
    CHECK(r.out.failure->message.starts_with(errors::upstream_certificate("openai", "")));
    CHECK_FALSE(r.answered);
  }

  TEST_CASE(
      "a call sends Host and the body, reads status, type and body; released, its connection serves the "
      "next") {
    Gateway g;
    UpstreamSeen seen;
    g.upstream->serve(answer_all(seen, std::string{kOk}));
    g.load({{"OPENAI_API_URL", g.upstream->url()}, {"OPENAI_API_KEY", "sk-test"}});
    const auto& p = g.provider("openai");
    for (int i = 0; i < 2; ++i) {
      CAPTURE(i);
      UpstreamCall call{g.worker->pool, g.state, p, false};
      auto req = chat_request();
      auto out = call_once(g, call, req);
      REQUIRE_FALSE(out.failure);
      CHECK(call.status() == 200);
      CHECK(call.content_type() == "application/json");
      CHECK_FALSE(call.unknown_length());
      CHECK(call.done());
      CHECK(out.body == R"({"ok":true})");
      call.release();
      CHECK(g.worker->pool.idle_count() == 1);
    }
    CHECK(g.upstream->accepted() == 1);  // the same connection twice
    REQUIRE(seen.size() == 2);
    for (const auto& r : seen) {
      CHECK(r.method() == http::verb::post);
      CHECK(r.target() == "/v1/chat/completions");
      CHECK(r[http::field::host] == "127.0.0.1:" + std::to_string(g.upstream->port()));
      CHECK(r[http::field::content_type] == "application/json");
      CHECK(r.body() == R"({"model":"m"})");
    }
  }

  TEST_CASE("a pooled connection the provider closed meanwhile is retried once on a fresh one") {
    Gateway g;
    UpstreamSeen seen;
    bool first_closed = false;
    g.upstream->serve([&](Socket& s, int index) -> awaitable<void> {
      beast::flat_buffer buffer;
      auto req = co_await read_request(s, buffer);
      if (!req) co_return;
      seen.push_back(std::move(*req));
      if (index == 0) {
        co_await send(s, kOk);
        s.close();  // a keep-alive answer, then the provider drops the connection
        first_closed = true;
      } else {
        co_await send(s, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond");
      }
    });
    g.load({{"OPENAI_API_URL", g.upstream->url()}, {"OPENAI_API_KEY", "sk-test"}});
    const auto& p = g.provider("openai");
    {
      UpstreamCall call{g.worker->pool, g.state, p, false};
      auto req = chat_request();
      REQUIRE_FALSE(call_once(g, call, req).failure);
      call.release();
    }
    g.run_until([&] { return first_closed; });
    REQUIRE(first_closed);
    REQUIRE(g.worker->pool.idle_count() == 1);
    UpstreamCall call{g.worker->pool, g.state, p, false};
    auto req = chat_request();
    auto out = call_once(g, call, req);
    REQUIRE_FALSE(out.failure);
    CHECK(out.body == "second");
    CHECK(g.upstream->accepted() == 2);
    CHECK(seen.size() == 2);
  }

  TEST_CASE("a fresh connection closed before the answer is not retried: 502") {
    Gateway g;
    g.upstream->serve([&](Socket& s, int) -> awaitable<void> {
      beast::flat_buffer buffer;
      co_await read_request(s, buffer);
      s.close();
    });
    g.load({{"OPENAI_API_URL", g.upstream->url()}, {"OPENAI_API_KEY", "sk-test"}});
    UpstreamCall call{g.worker->pool, g.state, g.provider("openai"), false};
    auto req = chat_request();
    auto out = call_once(g, call, req);
    REQUIRE(out.failure);
    CHECK(out.failure->status == 502);
    CHECK(
        out.failure->message.starts_with(errors::upstream_unreachable("openai", "waiting for its answer: ")));
    CHECK(g.upstream->accepted() == 1);
  }

  // A close comes back from the reads as end_of_stream or partial_message (Beast's HTTP category): a reset.
  TEST_CASE("a provider closing the connection is reason reset, not protocol") {
    Gateway g;
    g.upstream->serve([&](Socket& s, int index) -> awaitable<void> {
      beast::flat_buffer buffer;
      co_await read_request(s, buffer);
      if (index == 1) co_await send(s, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
      s.close();
    });
    g.load({{"OPENAI_API_URL", g.upstream->url()}, {"OPENAI_API_KEY", "sk-test"}});
    {
      UpstreamCall call{g.worker->pool, g.state, g.provider("openai"), false};
      auto req = chat_request();
      auto out = call_once(g, call, req);
      REQUIRE(out.failure);
      CHECK(out.failure->reason == reason::reset);  // end_of_stream
    }
    {
      UpstreamCall call{g.worker->pool, g.state, g.provider("openai"), false};
      auto req = chat_request();
      std::optional<UpstreamFailure> failure;
      g.run([&]() -> awaitable<void> {
        failure = co_await call.send(req);
        if (failure) co_return;
        auto body = co_await call.read_all();
        if (!body) failure = body.error();
      });
      REQUIRE(failure);
      CHECK(failure->reason == reason::reset);  // partial_message
    }
  }

  TEST_CASE("a malformed response is reason protocol") {
    Gateway g;
    g.upstream->serve([&](Socket& s, int) -> awaitable<void> {
      beast::flat_buffer buffer;
      co_await read_request(s, buffer);
      co_await send(s, "SMTP ready\r\n\r\n");
      co_await wait_closed(s);
    });
    g.load({{"OPENAI_API_URL", g.upstream->url()}, {"OPENAI_API_KEY", "sk-test"}});
    UpstreamCall call{g.worker->pool, g.state, g.provider("openai"), false};
    auto req = chat_request();
    auto out = call_once(g, call, req);
    REQUIRE(out.failure);
    CHECK(out.failure->status == 502);
    CHECK(out.failure->reason == reason::protocol);
  }

  TEST_CASE("a body cut short fails the read, and the connection is not pooled") {
    Gateway g;
    g.upstream->serve([&](Socket& s, int) -> awaitable<void> {
      beast::flat_buffer buffer;
      co_await read_request(s, buffer);
      co_await send(s, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");  // then the close, short of 10
    });
    g.load({{"OPENAI_API_URL", g.upstream->url()}, {"OPENAI_API_KEY", "sk-test"}});
    UpstreamCall call{g.worker->pool, g.state, g.provider("openai"), false};
    auto req = chat_request();
    auto out = call_once(g, call, req);
    REQUIRE_FALSE(out.failure);  // the header came
    CHECK(out.body_failed);      // the body did not
    CHECK_FALSE(call.done());
    call.release();
    CHECK(g.worker->pool.idle_count() == 0);
  }

  TEST_CASE("connection refused: 502, reason connect, a message naming the provider and the phase") {
    Gateway g;
    g.load({{"OPENAI_API_URL", "http://127.0.0.1:" + std::to_string(closed_port()) + "/v1"},
            {"OPENAI_API_KEY", "sk-test"}});
    UpstreamCall call{g.worker->pool, g.state, g.provider("openai"), false};
    auto req = chat_request();
    auto out = call_once(g, call, req);
    REQUIRE(out.failure);
    CHECK(out.failure->status == 502);
    CHECK(out.failure->reason == reason::connect);
    CHECK(out.failure->message.starts_with(errors::upstream_unreachable("openai", "connecting: ")));
  }

  TEST_CASE("no response header within CLIENT_RESPONSE_HEADER_TIMEOUT (streams): 504, reason timeout") {
    Gateway g;
    g.upstream->serve([&](Socket& s, int) -> awaitable<void> {
      co_await wait_closed(s);  // reads the request, never answers
    });
    g.load({{"OPENAI_API_URL", g.upstream->url()},
            {"OPENAI_API_KEY", "sk-test"},
            {"CLIENT_RESPONSE_HEADER_TIMEOUT", "100ms"}});
    UpstreamCall call{g.worker->pool, g.state, g.provider("openai"), true};
    auto req = chat_request();
    auto t0 = std::chrono::steady_clock::now();
    auto out = call_once(g, call, req);
    REQUIRE(out.failure);
    CHECK(out.failure->status == 504);
    CHECK(out.failure->reason == reason::timeout);
    CHECK(out.failure->message == errors::upstream_timeout("openai", "waiting for response headers"));
    CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  }

  TEST_CASE("a non-streaming call is bounded by CLIENT_TIMEOUT, header and body together") {
    Gateway g;
    g.upstream->serve([&](Socket& s, int) -> awaitable<void> { co_await wait_closed(s); });
    g.load({{"OPENAI_API_URL", g.upstream->url()},
            {"OPENAI_API_KEY", "sk-test"},
            {"CLIENT_TIMEOUT", "100ms"}});  // the header timeout (120s) does not apply
    UpstreamCall call{g.worker->pool, g.state, g.provider("openai"), false};
    auto req = chat_request();
    auto out = call_once(g, call, req);
    REQUIRE(out.failure);
    CHECK(out.failure->status == 504);
    CHECK(out.failure->reason == reason::timeout);
    CHECK(out.failure->message == errors::upstream_timeout("openai", "waiting for its answer"));
  }

  TEST_CASE("a stream silent for CLIENT_STREAM_IDLE_TIMEOUT between events: 504, reason timeout") {
    Gateway g;
    g.upstream->serve([&](Socket& s, int) -> awaitable<void> {
      beast::flat_buffer buffer;
      co_await read_request(s, buffer);
      co_await send(
          s, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
                 chunk("data: {}\n\n"));
      co_await wait_closed(s);
    });
    g.load({{"OPENAI_API_URL", g.upstream->url()},
            {"OPENAI_API_KEY", "sk-test"},
            {"CLIENT_STREAM_IDLE_TIMEOUT", "100ms"}});
    UpstreamCall call{g.worker->pool, g.state, g.provider("openai"), true};
    auto req = chat_request();
    std::optional<UpstreamFailure> failure;
    std::string got;
    std::chrono::steady_clock::duration waited{};
    g.run([&]() -> awaitable<void> {
      failure = co_await call.send(req);
      if (failure) co_return;
      char buf[256];
      for (;;) {
        auto n = co_await call.read_some(buf, sizeof buf, waited);
        if (!n) {
          failure = n.error();
          co_return;
        }
        if (*n == 0) co_return;
        got.append(buf, *n);
      }
    });
    CHECK(call.unknown_length());
    CHECK(got == "data: {}\n\n");
    REQUIRE(failure);
    CHECK(failure->status == 504);
    CHECK(failure->reason == reason::timeout);
    CHECK(failure->message == errors::upstream_timeout("openai", "between stream events"));
    CHECK(waited >= 90ms);  // the silence counts as upstream wait
  }

  TEST_CASE("a chunked body read piece by piece; the connection is pooled once it is read to its end") {
    Gateway g;
    UpstreamSeen seen;
    g.upstream->serve(
        answer_all(seen, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n" +
                             chunk("hello ") + chunk("world") + "0\r\n\r\n"));
    g.load({{"OPENAI_API_URL", g.upstream->url()}, {"OPENAI_API_KEY", "sk-test"}});
    UpstreamCall call{g.worker->pool, g.state, g.provider("openai"), false};
    auto req = chat_request();
    auto out = call_once(g, call, req);
    REQUIRE_FALSE(out.failure);
    CHECK(call.unknown_length());
    CHECK(out.body == "hello world");
    call.release();
    CHECK(g.worker->pool.idle_count() == 1);
  }

  TEST_CASE("connections are not pooled after Connection: close, nor before the body's end") {
    {
      Gateway g;
      UpstreamSeen seen;
      g.upstream->serve(
          answer_all(seen, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"));
      g.load({{"OPENAI_API_URL", g.upstream->url()}, {"OPENAI_API_KEY", "sk-test"}});
      UpstreamCall call{g.worker->pool, g.state, g.provider("openai"), false};
      auto req = chat_request();
      REQUIRE_FALSE(call_once(g, call, req).failure);
      call.release();
      CHECK(g.worker->pool.idle_count() == 0);
    }
    {
      Gateway g;
      UpstreamSeen seen;
      g.upstream->serve(answer_all(seen, std::string{kOk}));
      g.load({{"OPENAI_API_URL", g.upstream->url()}, {"OPENAI_API_KEY", "sk-test"}});
      UpstreamCall call{g.worker->pool, g.state, g.provider("openai"), false};
      auto req = chat_request();
      std::optional<UpstreamFailure> failure;
      g.run([&]() -> awaitable<void> { failure = co_await call.send(req); });
      REQUIRE_FALSE(failure);
      call.release();  // the body was never read
      CHECK(g.worker->pool.idle_count() == 0);
    }
  }

  TEST_CASE("credentials per auth style; the caller's Authorization and x-api-key never go upstream") {
    Gateway g;
    UpstreamSeen seen;
    g.upstream->serve(answer_all(seen, std::string{kOk}));
    g.load({{"OPENAI_API_URL", g.upstream->url()},
            {"OPENAI_API_KEY", "sk-openai"},
            {"ANTHROPIC_API_URL", g.upstream->url()},
            {"ANTHROPIC_API_KEY", "sk-ant"},
            {"OLLAMA_API_URL", g.upstream->url()}});
    ProviderRuntime keyless = g.provider("openai");
    keyless.key.clear();
    auto call_with = [&](const ProviderRuntime& p, std::string_view version) {
      UpstreamCall call{g.worker->pool, g.state, p, false};
      auto req = chat_request();
      req.set("Authorization", "Bearer caller-token");
      req.set("x-api-key", "caller-key");
      if (!version.empty()) req.set("anthropic-version", version);
      auto out = call_once(g, call, req);
      REQUIRE_FALSE(out.failure);
      call.release();
    };
    call_with(g.provider("openai"), {});
    call_with(g.provider("anthropic"), {});
    call_with(g.provider("anthropic"), "2024-10-22");
    call_with(g.provider("ollama"), {});
    call_with(keyless, {});
    REQUIRE(seen.size() == 5);
    // bearer
    CHECK(seen[0].count(http::field::authorization) == 1);
    CHECK(seen[0][http::field::authorization] == "Bearer sk-openai");
    CHECK(seen[0].count("x-api-key") == 0);
    // x-api-key, with the provider's extra header unless the caller set it
    CHECK(seen[1].count(http::field::authorization) == 0);
    CHECK(seen[1].count("x-api-key") == 1);
    CHECK(seen[1]["x-api-key"] == "sk-ant");
    CHECK(seen[1]["anthropic-version"] == "2023-06-01");
    CHECK(seen[2]["anthropic-version"] == "2024-10-22");
    CHECK(seen[2].count("anthropic-version") == 1);
    // none
    CHECK(seen[3].count(http::field::authorization) == 0);
    CHECK(seen[3].count("x-api-key") == 0);
    // bearer without a key: nothing, and still not the caller's
    CHECK(seen[4].count(http::field::authorization) == 0);
    CHECK(seen[4].count("x-api-key") == 0);
  }
}
