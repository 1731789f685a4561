#include "ops/http.hpp"

#include <httplib.h>

namespace igw::ops {
namespace {

struct SplitUrl {
  std::string origin;  // scheme://host[:port]
  std::string target;  // path and query ("/" when empty)
};

std::expected<SplitUrl, std::string> split(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos || (url.compare(0, scheme, "http") != 0 && url.compare(0, scheme, "https") != 0))
    return std::unexpected(url + ": expected an http:// or https:// URL");
  auto path = url.find('/', scheme + 3);
  SplitUrl out;
  out.origin = url.substr(0, path);
  out.target = path == std::string::npos ? "/" : url.substr(path);
  if (out.origin.size() <= scheme + 3) return std::unexpected(url + ": the URL names no host");
  return out;
}

}  // namespace

std::expected<HttpResult, std::string> http_request(const HttpRequest& request) {
  auto url = split(request.url);
  if (!url) return std::unexpected(url.error());
  httplib::Client client{url->origin};
  if (!client.is_valid()) return std::unexpected(request.url + ": not a usable URL");
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(request.timeout);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(request.timeout - seconds);
  client.set_connection_timeout(seconds.count(), micros.count());
  client.set_read_timeout(seconds.count(), micros.count());
  client.set_write_timeout(seconds.count(), micros.count());
  client.set_tcp_nodelay(true);
  httplib::Headers headers;
  for (const auto& [k, v] : request.headers) headers.emplace(k, v);
  httplib::Result res = request.method == "POST"
                            ? client.Post(url->target, headers, request.body, request.content_type)
                            : client.Get(url->target, headers);
  if (!res) return std::unexpected(request.method + " " + request.url + ": " + httplib::to_string(res.error()));
  HttpResult out;
  out.status = res->status;
  out.content_type = res->get_header_value("Content-Type");
  out.body = std::move(res->body);
  return out;
}

std::expected<HttpResult, std::string> http_get(const std::string& url, std::chrono::milliseconds timeout) {
  HttpRequest r;
  r.url = url;
  r.timeout = timeout;
  return http_request(r);
}

}  // namespace igw::ops
