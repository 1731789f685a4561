#include "server/upstream_url.hpp"

#include <charconv>

namespace igw::server {

std::expected<UpstreamUrl, std::string> parse_upstream_url(std::string_view url) {
  auto fail = [&](std::string_view why) {
    return std::unexpected("invalid upstream URL \"" + std::string{url} + "\": " + std::string{why});
  };
  UpstreamUrl out;
  std::string_view rest;
  if (url.starts_with("https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return fail("expected http:// or https://");
  }
  auto slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (auto q = path.find_first_of("?#"); q != std::string_view::npos) path = path.substr(0, q);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  std::string_view host = authority, port_text;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("unclosed IPv6 bracket");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return fail("expected ':' after the IPv6 address");
      port_text = authority.substr(close + 2);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
  }
  if (host.empty()) return fail("expected a host");
  out.host = std::string{host};
  out.port = out.tls ? 443 : 80;
  if (!port_text.empty()) {
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || p == 0 || p > 65535)
      return fail("expected a port from 1 to 65535");
    out.port = static_cast<std::uint16_t>(p);
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  out.base_path = std::string{path};
  out.host_header_ = out.host.find(':') != std::string::npos ? "[" + out.host + "]" : out.host;
  if (out.port != (out.tls ? 443 : 80)) out.host_header_ += ":" + std::to_string(out.port);
  out.origin_ = std::string{out.tls ? "https://" : "http://"} + out.host + ":" + std::to_string(out.port);
  return out;
}

std::string join_path(std::string_view base, std::string_view path) {
  while (base.ends_with('/')) base.remove_suffix(1);
  while (path.starts_with('/')) path.remove_prefix(1);
  std::string out{base};
  out += '/';
  out += path;
  return out;
}

std::string make_target(std::string_view base, std::string_view path, std::string_view query) {
  std::string t = join_path(base, path);
  if (!query.empty()) {
    t += '?';
    t += query;
  }
  return t;
}

}  // namespace igw::server
