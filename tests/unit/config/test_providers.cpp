#include <doctest/doctest.h>

#include <set>
#include <vector>

#include "config/providers.hpp"

using namespace igw::config;

TEST_SUITE("config/providers") {
  TEST_CASE("the spec's fifteen providers and their default URLs") {
    const std::vector<std::pair<std::string_view, std::string_view>> spec{
        {"openai", "https://api.openai.com/v1"},
        {"anthropic", "https://api.anthropic.com/v1"},
        {"groq", "https://api.groq.com/openai/v1"},
        {"cohere", "https://api.cohere.ai"},
        {"deepseek", "https://api.deepseek.com"},
        {"google", "https://generativelanguage.googleapis.com/v1beta/openai"},
        {"mistral", "https://api.mistral.ai/v1"},
        {"cloudflare", "https://api.cloudflare.com/client/v4/accounts/{ACCOUNT_ID}/ai"},
        {"ollama", "http://ollama:8080/v1"},
        {"ollama_cloud", "https://ollama.com/v1"},
        {"llamacpp", "http://llamacpp:8080/v1"},
        {"moonshot", "https://api.moonshot.ai/v1"},
        {"nvidia", "https://integrate.api.nvidia.com/v1"},
        {"minimax", "https://api.minimax.io/v1"},
        {"zai", "https://api.z.ai/api/paas/v4"},
    };
    REQUIRE(providers().size() == spec.size());
    for (const auto& [id, url] : spec) {
      auto i = find_provider(id);
      REQUIRE_MESSAGE(i.has_value(), id);
      CHECK(providers()[*i].default_url == url);
    }
    CHECK_FALSE(find_provider("nope").has_value());
  }

  TEST_CASE("auth styles, paths and quirks") {
    const auto& anthropic = providers()[*find_provider("anthropic")];
    CHECK(anthropic.auth == AuthStyle::x_api_key);
    REQUIRE(anthropic.extra_headers.size() == 1);
    CHECK(anthropic.extra_headers[0].name == "anthropic-version");
    CHECK(anthropic.extra_headers[0].value == "2023-06-01");
    CHECK(anthropic.serves_messages_api);
    const auto& ollama = providers()[*find_provider("ollama")];
    CHECK(ollama.auth == AuthStyle::none);
    CHECK_FALSE(ollama.needs_key);
    const auto& cohere = providers()[*find_provider("cohere")];
    CHECK(cohere.chat_path == "/compatibility/v1/chat/completions");
    CHECK(cohere.models_path == "/v1/models");
    CHECK_FALSE(cohere.accepts_stream_options);
    CHECK_FALSE(providers()[*find_provider("mistral")].accepts_stream_options);
    CHECK(providers()[*find_provider("cloudflare")].chat_path == "/v1/chat/completions");
    CHECK(providers()[*find_provider("openai")].serves_responses_api);
    std::set<std::string_view> ids;
    for (const auto& p : providers()) {
      CHECK(ids.insert(p.id).second);
      CHECK(p.chat_path.starts_with("/"));
      CHECK(p.models_path.starts_with("/"));
      if (p.id != "anthropic" && p.id != "ollama") CHECK_MESSAGE(p.auth == AuthStyle::bearer, p.id);
    }
  }
}
