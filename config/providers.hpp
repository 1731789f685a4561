// The provider table: one row per LLM provider igw can route to. Everything provider-specific lives in
// these rows (URL, auth, headers, paths, quirks); no code elsewhere asks "is this cohere?".
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace igw::config {

enum class AuthStyle { bearer, x_api_key, none };

struct Header {
  std::string_view name;
  std::string_view value;
};

struct ProviderDef {
  std::string_view id;           // route prefix and label value: "openai", "ollama_cloud", ...
  std::string_view display_name;
  std::string_view default_url;  // <ID>_API_URL overrides
  AuthStyle auth;
  std::span<const Header> extra_headers;
  std::string_view chat_path;    // appended to the base URL
  std::string_view models_path;
  // true: enabled when <ID>_API_KEY is set; false (local servers): when <ID>_API_URL or the key is set, so a
  // default URL that only resolves inside a compose network is never asked.
  bool needs_key;
  bool accepts_stream_options;   // false: stream_options is removed before sending upstream
  bool serves_messages_api;      // /v1/messages passthrough (Anthropic Messages API)
  bool serves_responses_api;     // /v1/responses passthrough (OpenAI Responses API)
};

std::span<const ProviderDef> providers();
std::optional<std::size_t> find_provider(std::string_view id);

// "ollama_cloud" -> "OLLAMA_CLOUD_API_URL" / "OLLAMA_CLOUD_API_KEY".
std::string provider_url_env(const ProviderDef& p);
std::string provider_key_env(const ProviderDef& p);

std::string_view to_string(AuthStyle style);

}  // namespace igw::config
