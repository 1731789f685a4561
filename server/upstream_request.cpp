#include "server/upstream_request.hpp"

#include <algorithm>

#include "server/wire.hpp"

namespace igw::server {
namespace {

bool carries_body(std::string_view method) { return method == "POST" || method == "PUT" || method == "PATCH"; }

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
  std::erase_if(fields_, [&](const Field& f) { return iequals(f.name, name); });
}

bool UpstreamRequest::has(std::string_view name) const {
  return std::any_of(fields_.begin(), fields_.end(), [&](const Field& f) { return iequals(f.name, name); });
}

std::string_view UpstreamRequest::operator[](std::string_view name) const {
  for (const auto& f : fields_)
    if (iequals(f.name, name)) return f.value;
  return {};
}

void UpstreamRequest::append_head(std::string& out) const {
  out.append(method_);
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
    if (field.forwarded) to.set(field.name, field.value);
}

}  // namespace igw::server
