// Blocking HTTP for the operator commands (scrapes, Prometheus API queries, doctor's probes), through
// cpp-httplib. Never used on the gateway's event loops. httplib stays in ops/http.cpp.
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <utility>
#include <vector>

namespace igw::ops {

struct HttpResult {
  int status = 0;
  std::string content_type;
  std::string body;
};

struct HttpRequest {
  std::string method = "GET";  // GET or POST
  std::string url;             // http:// or https://, with path and query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";  // of the body (POST)
  std::chrono::milliseconds timeout{5000};        // connect, read and write each
};

// The answer, whatever its status. Error: one line naming the URL and what went wrong (bad URL, connection
// refused, timeout, TLS).
std::expected<HttpResult, std::string> http_request(const HttpRequest& request);
// GET url.
std::expected<HttpResult, std::string> http_get(const std::string& url,
                                                std::chrono::milliseconds timeout = std::chrono::milliseconds{5000});

}  // namespace igw::ops
