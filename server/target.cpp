#include "server/target.hpp"

#include <cctype>
#include <string>
#include <vector>

#include "config/providers.hpp"

namespace igw::server {

std::expected<ChatTarget, RouteError> resolve_chat_target(std::string_view model,
                                                          std::string_view provider_param) {
  if (!provider_param.empty()) {
    auto p = config::find_provider(provider_param);
    if (!p) return std::unexpected(RouteError::provider_not_found);
    return ChatTarget{*p, model, false};
  }
  auto slash = model.find('/');
  if (slash == std::string_view::npos || slash == 0)
    return std::unexpected(RouteError::provider_undetermined);
  auto p = config::find_provider(model.substr(0, slash));
  if (!p) return std::unexpected(RouteError::provider_not_found);
  return ChatTarget{*p, model.substr(slash + 1), true};
}

std::expected<ProxyPath, RouteError> split_proxy_path(std::string_view path) {
  constexpr std::string_view kPrefix = "/proxy/";
  if (!path.starts_with(kPrefix)) return std::unexpected(RouteError::provider_undetermined);
  path.remove_prefix(kPrefix.size());
  auto slash = path.find('/');
  ProxyPath out{path.substr(0, slash),
                slash == std::string_view::npos ? std::string_view{} : path.substr(slash)};
  if (out.provider.empty()) return std::unexpected(RouteError::provider_undetermined);
  return out;
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A segment percent-decoded, or an error phrase.
std::expected<std::string, std::string> decode_segment(std::string_view segment) {
  std::string out;
  for (std::size_t i = 0; i < segment.size(); ++i) {
    char c = segment[i];
    if (c == '%') {
      int hi = i + 2 < segment.size() ? hex_value(segment[i + 1]) : -1;
      int lo = i + 2 < segment.size() ? hex_value(segment[i + 2]) : -1;
      if (hi < 0 || lo < 0) return std::unexpected(std::string{"invalid percent-encoding"});
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::expected<std::string, std::string> confine_proxy_path(std::string_view rest) {
  std::vector<std::string_view> kept;  // segments as received (still encoded)
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (segment.empty()) continue;
    auto decoded = decode_segment(segment);
    if (!decoded) return std::unexpected(decoded.error());
    for (unsigned char c : *decoded) {
      if (c == '/' || c == '\\') return std::unexpected(std::string{"a slash or backslash inside a path segment"});
      if (c == '?' || c == '#') return std::unexpected(std::string{"a query or fragment inside the path"});
      if (c < 0x20 || c == 0x7f) return std::unexpected(std::string{"a control character in the path"});
    }
    if (*decoded == ".") continue;
    if (*decoded == "..") {
      if (kept.empty()) return std::unexpected(std::string{"the path climbs above the provider's base path"});
      kept.pop_back();
      continue;
    }
    kept.push_back(segment);
  }
  std::string out;
  for (auto s : kept) {
    out += '/';
    out += s;
  }
  return out.empty() ? std::string{"/"} : out;
}

std::string query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    auto raw = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '+') {
        out += ' ';
      } else if (raw[i] == '%' && i + 2 < raw.size() &&
                 std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
        out += static_cast<char>(std::stoi(std::string{raw.substr(i + 1, 2)}, nullptr, 16));
        i += 2;
      } else {
        out += raw[i];
      }
    }
    return out;
  }
  return {};
}

}  // namespace igw::server
