#include "server/auth/jws.hpp"

#include <nlohmann/json.hpp>

#include "server/auth/base64url.hpp"

namespace igw::server::auth {

std::expected<CompactJws, Reason> split_compact(std::string_view token) {
  if (token.size() > kMaxTokenBytes) return std::unexpected(Reason::malformed);
  std::size_t first = token.find('.');
  if (first == std::string_view::npos) return std::unexpected(Reason::malformed);
  std::size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return std::unexpected(Reason::malformed);
  CompactJws jws{token.substr(0, first), token.substr(first + 1, second - first - 1),
                 token.substr(second + 1), token.substr(0, second)};
  // An empty signature is left to the verifier: with alg "none" it is unsupported_alg, which says more.
  if (jws.header.empty() || jws.payload.empty()) return std::unexpected(Reason::malformed);
  return jws;
}

std::expected<JoseHeader, Reason> parse_header(std::string_view header_base64url) {
  auto text = base64url_decode(header_base64url);
  if (!text) return std::unexpected(Reason::malformed);
  auto json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || json.contains("crit")) return std::unexpected(Reason::malformed);
  auto alg = json.find("alg");
  if (alg == json.end() || !alg->is_string()) return std::unexpected(Reason::malformed);
  JoseHeader header{alg->get<std::string>(), std::nullopt};
  if (auto kid = json.find("kid"); kid != json.end()) {
    if (!kid->is_string()) return std::unexpected(Reason::malformed);
    header.kid = kid->get<std::string>();
  }
  return header;
}

}  // namespace igw::server::auth
