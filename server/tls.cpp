#include "server/tls.hpp"

#include <openssl/ssl.h>

namespace igw::server {

std::expected<std::unique_ptr<ssl::context>, std::string> make_client_tls(const config::Config& config) {
  using config::Key;
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3);
  ctx->set_verify_mode(ssl::verify_peer);
  int min = config.text(Key::client_tls_min_version) == "TLS13" ? TLS1_3_VERSION : TLS1_2_VERSION;
  SSL_CTX_set_min_proto_version(ctx->native_handle(), min);
  error_code ec;
  const auto& ca = config.text(Key::client_ca_file);
  if (!ca.empty()) {
    if (ctx->load_verify_file(ca, ec))
      return std::unexpected("invalid " + config::env_name(Key::client_ca_file) + "=\"" + ca + "\": " + ec.message());
  } else if (ctx->set_default_verify_paths(ec)) {
    return std::unexpected("cannot load the system CA store: " + ec.message());
  }
  return ctx;
}

std::expected<std::unique_ptr<ssl::context>, std::string> make_server_tls(const config::Config& config) {
  using config::Key;
  const auto& cert = config.text(Key::server_tls_cert_path);
  const auto& key = config.text(Key::server_tls_key_path);
  if (cert.empty() && key.empty()) return std::unique_ptr<ssl::context>{};
  if (cert.empty() || key.empty())
    return std::unexpected(config::env_name(Key::server_tls_cert_path) + " and " + config::env_name(Key::server_tls_key_path) +
                           " must be set together");
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::single_dh_use);
  error_code ec;
  if (ctx->use_certificate_chain_file(cert, ec))
    return std::unexpected("invalid " + config::env_name(Key::server_tls_cert_path) + "=\"" + cert +
                           "\": " + ec.message());
  if (ctx->use_private_key_file(key, ssl::context::pem, ec))
    return std::unexpected("invalid " + config::env_name(Key::server_tls_key_path) + "=\"" + key +
                           "\": " + ec.message());
  return ctx;
}

}  // namespace igw::server
