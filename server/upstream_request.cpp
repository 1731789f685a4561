#include "server/upstream_request.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace igw::server {
namespace {

// Caller headers that never go upstream: hop-by-hop ones, the caller's credentials, and those the
// upstream request sets itself.
bool forwardable(std::string_view name) {
  static constexpr std::array<std::string_view, 13> kDropped{"connection",
                                                             "keep-alive",
                                                             "proxy-connection",
                                                             "transfer-encoding",
                                                             "te",
                                                             "upgrade",
                                                             "trailer",
                                                             "host",
                                                             "authorization",
                                                             "x-api-key",
                                                             "content-length",
                                                             "accept-encoding",
                                                             "expect"};
  for (auto d : kDropped)
    if (beast::iequals(name, d)) return false;
  return !beast::iequals(name.substr(0, std::min<std::size_t>(name.size(), 6)), "proxy-");
}

bool carries_body(http::verb method) {
  return method == http::verb::post || method == http::verb::put || method == http::verb::patch;
}

}  // namespace

void UpstreamRequest::set(std::string_view name, std::string_view value) {
  erase(name);
  fields_.push_back({name, value});
}

void UpstreamRequest::set_owned(std::string_view name, std::string value) {
  erase(name);
  owned_ = std::move(value);
  fields_.push_back({name, owned_});
}

void UpstreamRequest::erase(std::string_view name) {
  std::erase_if(fields_, [&](const Field& f) { return beast::iequals(f.name, name); });
}

bool UpstreamRequest::has(std::string_view name) const {
  return std::any_of(fields_.begin(), fields_.end(), [&](const Field& f) { return beast::iequals(f.name, name); });
}

std::string_view UpstreamRequest::operator[](std::string_view name) const {
  for (const auto& f : fields_)
    if (beast::iequals(f.name, name)) return f.value;
  return {};
}

void UpstreamRequest::append_head(std::string& out) const {
  out.append(http::to_string(method_));
  out += ' ';
  out.append(target_);
  out.append(" HTTP/1.1\r\n");
  for (const auto& f : fields_) {
    out.append(f.name);
    out.append(": ");
    out.append(f.value);
    out.append("\r\n");
  }
  if (!body_.empty() || carries_body(method_)) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, body_.size());
    (void)ec;
    out.append("Content-Length: ");
    out.append(digits, end);
    out.append("\r\n");
  }
  out.append("\r\n");
}

void copy_caller_headers(const http::request<http::string_body>& from, UpstreamRequest& to) {
  for (const auto& field : from)
    if (forwardable(field.name_string())) to.set(field.name_string(), field.value());
}

}  // namespace igw::server
