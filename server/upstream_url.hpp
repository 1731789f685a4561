// Upstream base URLs split into what a connection needs (scheme, host, port) and what a request needs
// (the base path that route paths are joined onto).
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace igw::server {

struct UpstreamUrl {
  bool tls = false;
  std::string host;  // without brackets for IPv6
  std::uint16_t port = 0;
  std::string base_path;  // "" or "/v1" (never a trailing slash)

  // "host" or "host:port" when the port is not the scheme's default (the Host header).
  const std::string& host_header() const { return host_header_; }
  // "https://host:port": the connection pool's key.
  const std::string& origin() const { return origin_; }

 private:
  // Both are written once by parse_upstream_url: every request uses them, none rebuilds them.
  friend std::expected<UpstreamUrl, std::string> parse_upstream_url(std::string_view url);
  std::string host_header_;
  std::string origin_;
};

// "https://api.openai.com/v1" -> {tls, "api.openai.com", 443, "/v1"}. Error: a phrase naming the URL.
std::expected<UpstreamUrl, std::string> parse_upstream_url(std::string_view url);

// Joins a base path and a route path with exactly one slash: ("/v1", "/chat/completions"),
// ("/v1/", "models") -> "/v1/chat/completions", "/v1/models"; an empty result is "/".
std::string join_path(std::string_view base, std::string_view path);

// The request target: the joined path plus "?query" when the query is not empty.
std::string make_target(std::string_view base, std::string_view path, std::string_view query);

}  // namespace igw::server
