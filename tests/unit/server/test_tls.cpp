#include <doctest/doctest.h>

#include <boost/asio/ssl.hpp>

#include "config/loader.hpp"
#include "server/tls.hpp"
#include "tls_files.hpp"

using namespace igw::server;
using namespace igw::server::testing;
namespace config = igw::config;

namespace {

config::Config load_config(const config::Environment& env) {
  auto c = config::Config::load(env);
  if (!c) FAIL(c.error().message());
  return std::move(*c);
}

// A TLS handshake over loopback between the two contexts, the client checking the name "localhost".
// Returns the client's error (none on success).
error_code handshake(ssl::context& server_ctx, ssl::context& client_ctx) {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
  ssl::stream<tcp::socket> client{io, client_ctx};
  client.next_layer().connect(acceptor.local_endpoint());
  ssl::stream<tcp::socket> server{acceptor.accept(), server_ctx};
  SSL_set_tlsext_host_name(client.native_handle(), "localhost");
  client.set_verify_callback(ssl::host_name_verification("localhost"));
  error_code client_ec = asio::error::would_block;
  client.async_handshake(ssl::stream_base::client, [&](error_code ec) {
    client_ec = ec;
    error_code ignored;
    client.next_layer().close(ignored);  // ends the server's side too on failure
  });
  server.async_handshake(ssl::stream_base::server, [](error_code) {});
  io.run_for(std::chrono::seconds(2));
  return client_ec;
}

}  // namespace

TEST_SUITE("tls") {
  TEST_CASE("the client context verifies peers; CLIENT_TLS_MIN_VERSION sets the floor") {
    auto ctx = make_client_tls(load_config({}));
    REQUIRE(ctx);
    CHECK(SSL_CTX_get_verify_mode((*ctx)->native_handle()) == SSL_VERIFY_PEER);
    CHECK(SSL_CTX_get_min_proto_version((*ctx)->native_handle()) == TLS1_2_VERSION);
    auto tls13 = make_client_tls(load_config({{"CLIENT_TLS_MIN_VERSION", "TLS13"}}));
    REQUIRE(tls13);
    CHECK(SSL_CTX_get_min_proto_version((*tls13)->native_handle()) == TLS1_3_VERSION);
  }

  TEST_CASE("a missing or garbage CLIENT_CA_FILE: one line naming the setting and the file") {
    TempDir dir;
    for (const std::string& file :
         {(dir.path / "missing.pem").string(), dir.write("garbage.pem", "not a PEM\n")}) {
      CAPTURE(file);
      auto ctx = make_client_tls(load_config({{"CLIENT_CA_FILE", file}}));
      REQUIRE_FALSE(ctx);
      CHECK(ctx.error().starts_with("invalid CLIENT_CA_FILE=\"" + file + "\": "));
      CHECK(ctx.error().find('\n') == std::string::npos);
    }
  }

  TEST_CASE("no server certificate configured: no context (plain HTTP)") {
    // (One path without the other never gets here: the config refuses it.)
    auto none = make_server_tls(load_config({}));
    REQUIRE(none);
    CHECK(*none == nullptr);
  }

  TEST_CASE("a bad certificate or key file: an error naming that setting") {
    TempDir dir;
    auto good = make_self_signed(dir, "good");
    auto other = make_self_signed(dir, "other");
    auto garbage = dir.write("garbage.pem", "not a PEM\n");
    {
      auto ctx = make_server_tls(
          load_config({{"SERVER_TLS_CERT_PATH", garbage}, {"SERVER_TLS_KEY_PATH", good.key}}));
      REQUIRE_FALSE(ctx);
      CHECK(ctx.error().starts_with("invalid SERVER_TLS_CERT_PATH=\"" + garbage + "\": "));
    }
    {
      auto ctx = make_server_tls(
          load_config({{"SERVER_TLS_CERT_PATH", good.cert}, {"SERVER_TLS_KEY_PATH", garbage}}));
      REQUIRE_FALSE(ctx);
      CHECK(ctx.error().starts_with("invalid SERVER_TLS_KEY_PATH=\"" + garbage + "\": "));
    }
    {
      auto ctx = make_server_tls(
          load_config({{"SERVER_TLS_CERT_PATH", good.cert}, {"SERVER_TLS_KEY_PATH", other.key}}));
      REQUIRE_FALSE(ctx);  // a key that does not match the certificate
      CHECK(ctx.error().starts_with("invalid SERVER_TLS_KEY_PATH="));
    }
  }

  TEST_CASE(
      "a handshake: the server context serves its certificate, the client trusts it through CLIENT_CA_FILE") {
    TempDir dir;
    auto cert = make_self_signed(dir, "server");
    auto stranger = make_self_signed(dir, "stranger");
    auto server = make_server_tls(
        load_config({{"SERVER_TLS_CERT_PATH", cert.cert}, {"SERVER_TLS_KEY_PATH", cert.key}}));
    REQUIRE(server);
    REQUIRE(*server);
    auto trusting = make_client_tls(load_config({{"CLIENT_CA_FILE", cert.cert}}));
    REQUIRE(trusting);
    CHECK_FALSE(handshake(**server, **trusting));
    // Trusting another CA: the handshake fails on verification.
    auto other = make_client_tls(load_config({{"CLIENT_CA_FILE", stranger.cert}}));
    REQUIRE(other);
    auto ec = handshake(**server, **other);
    CHECK(ec);
    CHECK(ec != asio::error::would_block);  // it finished, and failed
  }
}
