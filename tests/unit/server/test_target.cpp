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

TEST_SUITE("target: proxy confinement") {
  std::string confined(std::string_view rest) {
    auto p = confine_proxy_path(rest);
    REQUIRE_MESSAGE(p.has_value(), std::string{rest}, ": ", (p ? "" : p.error()));
    return *p;
  }
  std::string refused(std::string_view rest) {
    auto p = confine_proxy_path(rest);
    REQUIRE_MESSAGE(!p.has_value(), std::string{rest}, " was kept as ", (p ? *p : ""));
    return p.error();
  }

  TEST_CASE("ordinary paths are kept as sent, encoding included") {
    CHECK(confined("/embeddings") == "/embeddings");
    CHECK(confined("/v1/files/file-abc%20x") == "/v1/files/file-abc%20x");
    CHECK(confined("") == "/");
    CHECK(confined("/") == "/");
    CHECK(confined("//models//x/") == "/models/x");  // empty segments dropped: no "//host" upstream
    CHECK(confined("/http:/evil.example/x") == "/http:/evil.example/x");  // a path, never an origin
    CHECK(confined("/@evil.example/x") == "/@evil.example/x");
  }

  TEST_CASE("dot segments resolve below the base path, plain or encoded") {
    CHECK(confined("/a/./b") == "/a/b");
    CHECK(confined("/a/../b") == "/b");
    CHECK(confined("/a/%2e%2E/b") == "/b");
    CHECK(confined("/a/.%2e/b/%2E") == "/b");
    CHECK(refused("/../etc/passwd").find("climbs above") != std::string::npos);
    CHECK(refused("/v1/../../admin").find("climbs above") != std::string::npos);
    CHECK(refused("/%2e%2e/%2e%2e/admin").find("climbs above") != std::string::npos);
    CHECK(refused("/.%2E/admin").find("climbs above") != std::string::npos);
  }

  TEST_CASE("what a segment cannot carry is refused") {
    CHECK(refused("/a%2fb").find("slash") != std::string::npos);
    CHECK(refused("/a%2F..%2F..%2Fadmin").find("slash") != std::string::npos);
    CHECK(refused("/a%5c..%5cadmin").find("backslash") != std::string::npos);
    CHECK(refused("/a\\..\\admin").find("backslash") != std::string::npos);
    CHECK(refused("/models%3Fx=1").find("query or fragment") != std::string::npos);
    CHECK(refused("/models%23frag").find("query or fragment") != std::string::npos);
    CHECK(refused("/models#frag").find("query or fragment") != std::string::npos);
    CHECK(refused("/a%00b").find("control") != std::string::npos);
    CHECK(refused("/a%0d%0aHost:%20x").find("control") != std::string::npos);
    CHECK(refused("/a%zz").find("percent-encoding") != std::string::npos);
    CHECK(refused("/a%4").find("percent-encoding") != std::string::npos);
    CHECK(refused("/a%").find("percent-encoding") != std::string::npos);
  }
}
