// A client's request as the handlers see it (method, target, version, header fields, body), read by
// RequestParser: Beast's HTTP parser (request line, field syntax, Content-Length / chunked bodies, limits,
// keep-alive) with the fields kept in one buffer of the request's arena instead of a container node each.
// Internal to server/.
#pragma once

#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

#include "server/net.hpp"

namespace igw::server {

class Request {
 public:
  struct Field {
    http::field id;  // http::field::unknown for names Beast does not know
    std::string_view name;
    std::string_view value;
  };

  explicit Request(std::pmr::memory_resource* arena) : text_(arena), stored_(arena), fields_(arena) {}
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;

  http::verb method() const { return method_; }
  std::string_view method_string() const { return method_string_; }
  std::string_view target() const { return target_; }
  unsigned version() const { return version_; }  // 10 or 11
  bool keep_alive() const { return keep_alive_; }
  // The first field of that name (case-insensitive), or "".
  std::string_view operator[](http::field id) const;
  std::string_view operator[](std::string_view name) const;
  const std::pmr::vector<Field>& fields() const { return fields_; }
  std::string& body() { return body_; }
  const std::string& body() const { return body_; }

 private:
  friend class RequestParser;
  struct Stored {
    http::field id;
    std::uint32_t name, name_size, value, value_size;  // offsets into text_
  };
  std::pmr::string text_;  // the method, the target, then each field's name and value
  std::pmr::vector<Stored> stored_;
  std::pmr::vector<Field> fields_;  // views into text_, made once the header is complete
  http::verb method_ = http::verb::unknown;
  std::string_view method_string_, target_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  std::string body_;
};

class RequestParser final : public http::basic_parser<true> {
 public:
  explicit RequestParser(std::pmr::memory_resource* arena) : req_(arena) {}
  // Once the header is read, or parsing stopped with an error (then with what was read until it).
  Request& get() {
    if (!views_made_) make_views();
    return req_;
  }

 private:
  void on_request_impl(http::verb method, beast::string_view method_string, beast::string_view target, int version,
                       error_code& ec) override;
  void on_response_impl(int, beast::string_view, int, error_code&) override {}
  void on_field_impl(http::field id, beast::string_view name, beast::string_view value, error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code& ec) override;
  std::size_t on_body_impl(beast::string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  void make_views();

  Request req_;
  std::uint32_t method_size_ = 0, target_size_ = 0;
  bool views_made_ = false;
};

}  // namespace igw::server
