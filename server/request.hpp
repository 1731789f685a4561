// A client's request as the handlers see it: method, target, version, header fields, body. Filled by
// RequestParser (request_parser.hpp), which keeps the text in one buffer of the request's arena. No Beast
// here: the handlers, the exchange and the router include this.
#pragma once

#include <cstdint>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

#include "server/ascii.hpp"

namespace igw::server {

enum class Method : std::uint8_t { get, post, put, patch, del, head, options, other };

// The fields the gateway looks up; the parser recognises them once, so lookups compare a byte.
enum class FieldId : std::uint8_t { other, accept, authorization, expect, x_request_id, traceparent, tracestate };

class Request {
 public:
  struct Field {
    FieldId id = FieldId::other;
    // May be copied to the upstream request: not hop-by-hop, not a credential of the caller, not one the
    // upstream request sets itself.
    bool forwarded = true;
    std::string_view name;
    std::string_view value;
  };

  explicit Request(std::pmr::memory_resource* arena) : text_(arena), stored_(arena), fields_(arena) {}
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;

  Method method() const { return method_; }
  std::string_view method_string() const { return method_string_; }
  std::string_view target() const { return target_; }
  unsigned version() const { return version_; }  // 10 or 11
  bool keep_alive() const { return keep_alive_; }
  // The first field of that name (case-insensitive), or "".
  std::string_view operator[](FieldId id) const;
  std::string_view operator[](std::string_view name) const;
  const std::pmr::vector<Field>& fields() const { return fields_; }
  std::string& body() { return body_; }
  const std::string& body() const { return body_; }

 private:
  friend class RequestParser;
  struct Stored {
    FieldId id;
    bool forwarded;
    std::uint32_t name, name_size, value, value_size;  // offsets into text_
  };
  std::pmr::string text_;  // the method, the target, then each field's name and value
  std::pmr::vector<Stored> stored_;
  std::pmr::vector<Field> fields_;  // views into text_, made once the header is complete
  Method method_ = Method::other;
  std::string_view method_string_, target_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  std::string body_;
};

}  // namespace igw::server
