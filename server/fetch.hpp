// One-off HTTP(S) GETs on the event loop, for the gateway's own needs (the OIDC issuer's discovery document
// and key set): a fresh connection per call, certificate and host name verified over TLS, the body bounded.
// Provider traffic goes through UpstreamCall and its pool instead.
#pragma once

#include <chrono>
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

#include "server/asio.hpp"

namespace igw::server {

struct FetchLimits {
  std::chrono::steady_clock::duration timeout = std::chrono::seconds(10);  // the whole call
  std::size_t max_body = 1 << 20;
};

// The body of a 200 answer to GET `url`. Error: one phrase naming the URL and what went wrong (connect,
// TLS, timeout, status, size). `tls` verifies https URLs; with a null context they are refused.
awaitable<std::expected<std::string, std::string>> fetch(std::string_view url, ssl::context* tls,
                                                         const FetchLimits& limits);

}  // namespace igw::server
