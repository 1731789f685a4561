#include "config/providers.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace igw::config {
namespace {

constexpr std::string_view kChat = "/chat/completions";
constexpr std::string_view kModels = "/models";
constexpr std::string_view kV1Chat = "/v1/chat/completions";
constexpr std::string_view kV1Models = "/v1/models";

constexpr std::array<Header, 1> kAnthropicHeaders{{{"anthropic-version", "2023-06-01"}}};

using enum AuthStyle;

// clang-format off
constexpr std::array<ProviderDef, 15> kProviders{{
  // id, name, default URL, auth, extra headers, chat path, models path, needs key, stream_options, messages, responses
  {"openai", "OpenAI", "https://api.openai.com/v1", bearer, {}, kChat, kModels, true, true, false, true},
  {"anthropic", "Anthropic", "https://api.anthropic.com/v1", x_api_key, kAnthropicHeaders, kChat, kModels, true, true, true, false},
  {"groq", "Groq", "https://api.groq.com/openai/v1", bearer, {}, kChat, kModels, true, true, false, false},
  {"cohere", "Cohere", "https://api.cohere.ai", bearer, {}, "/compatibility/v1/chat/completions", kV1Models, true, false, false, false},
  {"deepseek", "DeepSeek", "https://api.deepseek.com", bearer, {}, kChat, kModels, true, true, false, false},
  {"google", "Google", "https://generativelanguage.googleapis.com/v1beta/openai", bearer, {}, kChat, kModels, true, true, false, false},
  {"mistral", "Mistral", "https://api.mistral.ai/v1", bearer, {}, kChat, kModels, true, false, false, false},
  {"cloudflare", "Cloudflare", "https://api.cloudflare.com/client/v4/accounts/{ACCOUNT_ID}/ai", bearer, {}, kV1Chat, "/models/search", true, true, false, false},
  {"ollama", "Ollama", "http://ollama:8080/v1", none, {}, kChat, kModels, false, true, false, false},
  {"ollama_cloud", "Ollama Cloud", "https://ollama.com/v1", bearer, {}, kChat, kModels, true, true, false, false},
  {"llamacpp", "llama.cpp", "http://llamacpp:8080/v1", bearer, {}, kChat, kModels, false, true, false, false},
  {"moonshot", "Moonshot", "https://api.moonshot.ai/v1", bearer, {}, kChat, kModels, true, true, false, false},
  {"nvidia", "NVIDIA", "https://integrate.api.nvidia.com/v1", bearer, {}, kChat, kModels, true, true, false, false},
  {"minimax", "MiniMax", "https://api.minimax.io/v1", bearer, {}, kChat, kModels, true, true, false, false},
  {"zai", "Z.AI", "https://api.z.ai/api/paas/v4", bearer, {}, kChat, kModels, true, true, false, false},
}};
// clang-format on

std::string env_prefix(std::string_view id) {
  std::string out{id};
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

}  // namespace

std::span<const ProviderDef> providers() { return kProviders; }

std::optional<std::size_t> find_provider(std::string_view id) {
  for (std::size_t i = 0; i < kProviders.size(); ++i)
    if (kProviders[i].id == id) return i;
  return std::nullopt;
}

std::string provider_url_env(const ProviderDef& p) { return env_prefix(p.id) + "_API_URL"; }
std::string provider_key_env(const ProviderDef& p) { return env_prefix(p.id) + "_API_KEY"; }

std::string_view to_string(AuthStyle style) {
  switch (style) {
    case bearer: return "bearer";
    case x_api_key: return "x-api-key";
    case none: return "none";
  }
  return "none";
}

}  // namespace igw::config
