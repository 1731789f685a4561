// One-off HTTP(S) calls on the event loop, for the gateway's own needs (the OIDC issuer's discovery
// document and key set, MCP servers, A2A agents): a fresh connection per call, certificate and host name
// verified over TLS, the body bounded. Provider traffic goes through UpstreamCall and its pool instead.
#pragma once

#include <chrono>
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/asio.hpp"

namespace igw::server {

struct FetchLimits {
  std::chrono::steady_clock::duration timeout = std::chrono::seconds(10);  // the whole call
  std::size_t max_body = 1 << 20;
  // Connecting (TCP and TLS handshake) within this, when shorter than the whole call (0: no own limit).
  std::chrono::steady_clock::duration connect_timeout{};
};

struct HttpCall {
  std::string_view method = "GET";
  std::string_view url;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Host, User-Agent, Content-Length
  std::string_view body;                                      // sent when not empty
};

struct HttpAnswer {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The first header of that name (case-insensitive), empty when absent.
  std::string_view header(std::string_view name) const;
};

// What went wrong, for callers that classify failures (tool-call error types).
enum class FetchErrorKind { bad_url, connect, tls, timeout, io, too_large };

struct FetchError {
  FetchErrorKind kind = FetchErrorKind::io;
  std::string message;  // one phrase naming the method, the URL and what went wrong
};

// Sends the call and reads the whole answer, whatever its status. `tls` verifies https URLs; with a null
// context they are refused.
awaitable<std::expected<HttpAnswer, FetchError>> http_call(const HttpCall& call, ssl::context* tls,
                                                           const FetchLimits& limits);

// The body of a 200 answer to GET `url`. Error: one phrase naming the URL and what went wrong (connect,
// TLS, timeout, status, size).
awaitable<std::expected<std::string, std::string>> fetch(std::string_view url, ssl::context* tls,
                                                         const FetchLimits& limits);

}  // namespace igw::server
