#include "server/upstream_request.hpp"

#include <algorithm>

#include "server/wire.hpp"

namespace igw::server {
namespace {

// Caller headers that never go upstream: hop-by-hop ones, the caller's credentials, and those the
// upstream request sets itself. Known names are decided by Beast's field code, without string compares.
bool forwardable(http::field code, std::string_view name) {
  switch (code) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::proxy_connection:
    case http::field::transfer_encoding:
    case http::field::te:
    case http::field::upgrade:
    case http::field::trailer:
    case http::field::host:
    case http::field::authorization:
    case http::field::content_length:
    case http::field::accept_encoding:
    case http::field::expect:
    case http::field::proxy_authorization:
    case http::field::proxy_authenticate:
      return false;
    case http::field::unknown:
      if (beast::iequals(name, "x-api-key")) return false;
      break;
    default:
      break;
  }
  return !(name.size() >= 6 && (name[0] == 'p' || name[0] == 'P') && beast::iequals(name.substr(0, 6), "proxy-"));
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
  for (const auto& f : fields_) wire::append_field(out, f.name, f.value);
  if (!body_.empty() || carries_body(method_)) {
    out.append("Content-Length: ");
    wire::append_number(out, body_.size());
    out.append(wire::kCrlf);
  }
  out.append(wire::kCrlf);
}

void copy_caller_headers(const Request& from, UpstreamRequest& to) {
  for (const auto& field : from.fields())
    if (forwardable(field.id, field.name)) to.set(field.name, field.value);
}

}  // namespace igw::server
