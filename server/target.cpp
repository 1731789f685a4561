#include "server/target.hpp"

#include <cctype>
#include <string>

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
