#include <doctest/doctest.h>

#include "config/providers.hpp"
#include "server/target.hpp"

using namespace igw::server;

namespace {
std::string_view id_of(std::size_t index) {
  return igw::config::providers()[index].id;
}
}  // namespace

TEST_SUITE("target") {
  TEST_CASE("provider from the model prefix; the prefix is stripped at the first slash") {
    auto t = resolve_chat_target("groq/meta-llama/llama-4", "");
    REQUIRE(t);
    CHECK(id_of(t->provider) == "groq");
    CHECK(t->upstream_model == "meta-llama/llama-4");
    CHECK(t->prefix_stripped);
  }

  TEST_CASE("?provider= wins and keeps the model unchanged") {
    auto t = resolve_chat_target("gpt-4o", "openai");
    REQUIRE(t);
    CHECK(id_of(t->provider) == "openai");
    CHECK(t->upstream_model == "gpt-4o");
    CHECK_FALSE(t->prefix_stripped);
    auto u = resolve_chat_target("groq/x", "openai");
    REQUIRE(u);
    CHECK(u->upstream_model == "groq/x");
  }

  TEST_CASE("unknown providers and unresolvable models") {
    CHECK(resolve_chat_target("nope/x", "").error() == RouteError::provider_not_found);
    CHECK(resolve_chat_target("x", "nope").error() == RouteError::provider_not_found);
    CHECK(resolve_chat_target("gpt-4o", "").error() == RouteError::provider_undetermined);
    CHECK(resolve_chat_target("", "").error() == RouteError::provider_undetermined);
    CHECK(resolve_chat_target("/x", "").error() == RouteError::provider_undetermined);
  }

  TEST_CASE("proxy paths and query parameters") {
    auto p = split_proxy_path("/proxy/openai/v1/models");
    REQUIRE(p);
    CHECK(p->provider == "openai");
    CHECK(p->rest == "/v1/models");
    CHECK(split_proxy_path("/proxy/ollama")->rest == "");
    CHECK_FALSE(split_proxy_path("/proxy/"));
    CHECK(query_param("a=1&provider=groq&b=2", "provider") == "groq");
    CHECK(query_param("provider=ollama%5Fcloud", "provider") == "ollama_cloud");
    CHECK(query_param("providers=x", "provider").empty());
    CHECK(query_param("", "provider").empty());
  }
}
