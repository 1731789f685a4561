// Which provider a request goes to: pure functions of the request's model, its ?provider=, its /proxy path
// and the provider table; the handlers turn errors into SPEC.md 1.1 responses.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace igw::server {

struct ChatTarget {
  std::size_t provider = 0;         // index into config::providers()
  std::string_view upstream_model;  // the model as sent upstream (prefix stripped); a view into the input
  bool prefix_stripped = false;
};

enum class RouteError { provider_not_found, provider_undetermined };

// ?provider=X wins and keeps the model unchanged; else the model's prefix before the first '/'.
// An unknown ?provider= or prefix is provider_not_found; a model without prefix (and no ?provider=) is
// provider_undetermined.
std::expected<ChatTarget, RouteError> resolve_chat_target(std::string_view model,
                                                          std::string_view provider_param);

// Splits "/proxy/{provider}/{path...}" into provider and the rest ("" when absent).
struct ProxyPath {
  std::string_view provider;
  std::string_view rest;
};
std::expected<ProxyPath, RouteError> split_proxy_path(std::string_view path);

// The path a /proxy request may send upstream, below the provider's base path: `rest` ("/v1/embeddings")
// with dot segments resolved on the percent-decoded segments and empty segments dropped; each segment keeps
// its encoding. Refused, with a phrase saying why, when a ".." would climb above it or a segment decodes to
// something a path segment cannot carry (a slash or backslash, '?', '#', a control character) or is not
// valid percent-encoding.
std::expected<std::string, std::string> confine_proxy_path(std::string_view rest);

// The value of a query parameter ("provider=groq&x=1", "provider" -> "groq"), percent-decoded; empty when
// absent.
std::string query_param(std::string_view query, std::string_view name);

}  // namespace igw::server
