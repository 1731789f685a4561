// The request igw sends to a provider: method, target, header fields and body, written out by hand in
// one piece. Field names and values are views: they point into the caller's request (alive for the
// whole exchange), the provider runtime, the request context or literals, so building one allocates
// almost nothing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/request.hpp"

namespace igw::server {

class UpstreamRequest {
 public:
  // `method` is the request line's token ("POST"); a literal or the caller's request, alive for the call.
  UpstreamRequest(std::string_view method, std::string target) : method_(method), target_(std::move(target)) {
    fields_.reserve(16);
  }

  std::string_view method() const { return method_; }
  const std::string& target() const { return target_; }
  std::string& body() { return body_; }
  const std::string& body() const { return body_; }

  // Replaces every field of that name (names compare case-insensitively). The views must outlive the call.
  void set(std::string_view name, std::string_view value);
  // Like set, for a value the request keeps a copy of.
  void set_owned(std::string_view name, std::string value);
  void erase(std::string_view name);
  bool has(std::string_view name) const;
  std::string_view operator[](std::string_view name) const;  // empty when absent

  // Request line, fields, Content-Length (when there is a body or the method carries one), blank line.
  void append_head(std::string& out) const;

 private:
  struct Field {
    std::string_view name;
    std::string_view value;
  };
  std::string_view method_;
  std::string target_;
  std::vector<Field> fields_;
  std::string owned_;  // the one value built here (a credential); set_owned replaces it
  std::string body_;
};

// Copies the caller's headers that may go upstream (Request::Field::forwarded): not hop-by-hop ones, not its
// credentials (Authorization, x-api-key), not those the upstream request sets itself (Host, Content-Length...).
void copy_caller_headers(const Request& from, UpstreamRequest& to);

}  // namespace igw::server
