// The TLS contexts, built once at start-up: the upstream client's (peer verification against the system
// store or CLIENT_CA_FILE, minimum version) and the API's when SERVER_TLS_CERT_PATH/_KEY_PATH are set.
#pragma once

#include <expected>
#include <memory>
#include <string>

#include "config/loader.hpp"
#include <boost/asio/ssl/context.hpp>

#include "server/asio.hpp"

namespace igw::server {

std::expected<std::unique_ptr<ssl::context>, std::string> make_client_tls(const config::Config& config);
// Null when no certificate is configured; an error when only one of the two paths is set or a file fails.
std::expected<std::unique_ptr<ssl::context>, std::string> make_server_tls(const config::Config& config);

}  // namespace igw::server
