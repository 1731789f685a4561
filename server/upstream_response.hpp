// A provider's response as the gateway reads it: Beast's HTTP parser (status line, fields, chunked or
// length-delimited or close-delimited body, keep-alive) keeping only what the relays use (the status and
// the content type), with the body copied straight into the caller's buffer. No field container, no
// allocation per field. Internal to server/.
#pragma once

#include <string>
#include <string_view>

#include "server/beast.hpp"

namespace igw::server {

class UpstreamResponseParser final : public http::basic_parser<false> {
 public:
  UpstreamResponseParser() { body_limit(boost::none); }

  unsigned status() const { return status_; }
  int version() const { return version_; }
  std::string_view content_type() const { return content_type_; }
  std::string take_content_type() { return std::move(content_type_); }

  // Where the next body bytes go: parsing stops with http::error::need_buffer once `size` bytes are there.
  void body_target(char* data, std::size_t size) {
    out_ = data;
    room_ = size;
  }
  std::size_t body_room() const { return room_; }

 private:
  void on_request_impl(http::verb, beast::string_view, beast::string_view, int, error_code&) override {}
  void on_response_impl(int code, beast::string_view, int version, error_code&) override {
    status_ = static_cast<unsigned>(code);
    version_ = version;
  }
  void on_field_impl(http::field name, beast::string_view, beast::string_view value, error_code&) override {
    if (name == http::field::content_type) content_type_.assign(value.data(), value.size());
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(beast::string_view body, error_code& ec) override { return take(body, ec); }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, error_code& ec) override {
    return take(body, ec);
  }
  void on_finish_impl(error_code&) override {}

  std::size_t take(beast::string_view body, error_code& ec);

  unsigned status_ = 0;
  int version_ = 11;
  std::string content_type_;
  char* out_ = nullptr;
  std::size_t room_ = 0;
};

}  // namespace igw::server
