#include "server/request_parser.hpp"

namespace igw::server {
namespace {

Method method_of(http::verb verb) {
  switch (verb) {
    case http::verb::get: return Method::get;
    case http::verb::post: return Method::post;
    case http::verb::put: return Method::put;
    case http::verb::patch: return Method::patch;
    case http::verb::delete_: return Method::del;
    case http::verb::head: return Method::head;
    case http::verb::options: return Method::options;
    default: return Method::other;
  }
}

FieldId id_of(http::field code, std::string_view name) {
  switch (code) {
    case http::field::accept: return FieldId::accept;
    case http::field::authorization: return FieldId::authorization;
    case http::field::expect: return FieldId::expect;
    case http::field::unknown:
      if (iequals(name, "x-request-id")) return FieldId::x_request_id;
      if (iequals(name, "traceparent")) return FieldId::traceparent;
      if (iequals(name, "tracestate")) return FieldId::tracestate;
      return FieldId::other;
    default: return FieldId::other;
  }
}

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
      if (iequals(name, "x-api-key")) return false;
      break;
    default:
      break;
  }
  return !(name.size() >= 6 && iequals(name.substr(0, 6), "proxy-"));
}

}  // namespace

void RequestParser::on_request_impl(http::verb method, beast::string_view method_string, beast::string_view target,
                                    int version, error_code&) {
  req_.method_ = method_of(method);
  req_.version_ = static_cast<unsigned>(version);
  req_.text_.reserve(512);  // a typical head in one piece of the arena
  req_.text_.append(method_string.data(), method_string.size());
  req_.text_.append(target.data(), target.size());
  method_size_ = static_cast<std::uint32_t>(method_string.size());
  target_size_ = static_cast<std::uint32_t>(target.size());
  req_.stored_.reserve(16);
}

void RequestParser::on_field_impl(http::field code, beast::string_view name, beast::string_view value, error_code&) {
  auto& text = req_.text_;
  const auto at = static_cast<std::uint32_t>(text.size());
  text.append(name.data(), name.size());
  text.append(value.data(), value.size());
  const std::string_view n{name.data(), name.size()};
  req_.stored_.push_back({id_of(code, n), forwardable(code, n), at, static_cast<std::uint32_t>(name.size()),
                          at + static_cast<std::uint32_t>(name.size()), static_cast<std::uint32_t>(value.size())});
}

void RequestParser::on_header_impl(error_code&) {
  make_views();
}

void RequestParser::make_views() {
  // The text does not grow after the header (or an error): views into it stay valid.
  views_made_ = true;
  const std::string_view text = req_.text_;
  req_.method_string_ = text.substr(0, method_size_);
  req_.target_ = text.substr(method_size_, target_size_);
  req_.fields_.reserve(req_.stored_.size());
  for (const auto& s : req_.stored_)
    req_.fields_.push_back({s.id, s.forwarded, text.substr(s.name, s.name_size), text.substr(s.value, s.value_size)});
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) {
  if (length) req_.body_.reserve(static_cast<std::size_t>(*length));  // within the body limit, checked before
}

std::size_t RequestParser::on_body_impl(beast::string_view body, error_code&) {
  req_.body_.append(body.data(), body.size());
  return body.size();
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, beast::string_view body, error_code&) {
  req_.body_.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_finish_impl(error_code&) {
  req_.keep_alive_ = keep_alive();
}

}  // namespace igw::server
