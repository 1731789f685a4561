// RequestParser: Beast's HTTP parser (request line, field syntax, Content-Length / chunked bodies, limits,
// keep-alive) filling a Request, with the fields kept in one buffer of the request's arena instead of a
// container node each. Included by the connection loop only (Beast).
#pragma once

#include <memory_resource>

#include "server/beast.hpp"
#include "server/request.hpp"

namespace igw::server {

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
