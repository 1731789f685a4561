#include <doctest/doctest.h>

#include "server/upstream_url.hpp"

using namespace igw::server;

TEST_SUITE("upstream_url") {
  TEST_CASE("scheme, host, default and explicit ports, base path") {
    auto u = parse_upstream_url("https://api.openai.com/v1");
    REQUIRE(u);
    CHECK(u->tls);
    CHECK(u->host == "api.openai.com");
    CHECK(u->port == 443);
    CHECK(u->base_path == "/v1");
    CHECK(u->host_header() == "api.openai.com");
    auto l = parse_upstream_url("http://127.0.0.1:8080/v1/");
    REQUIRE(l);
    CHECK_FALSE(l->tls);
    CHECK(l->port == 8080);
    CHECK(l->base_path == "/v1");
    CHECK(l->host_header() == "127.0.0.1:8080");
    CHECK(l->origin() == "http://127.0.0.1:8080");
    auto c = parse_upstream_url("https://api.cohere.ai");
    REQUIRE(c);
    CHECK(c->base_path.empty());
    auto v6 = parse_upstream_url("http://[::1]:9000/x");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->host_header() == "[::1]:9000");
  }

  TEST_CASE("bad URLs say why") {
    CHECK(parse_upstream_url("ftp://x").error().find("http:// or https://") != std::string::npos);
    CHECK_FALSE(parse_upstream_url("http://"));
    CHECK_FALSE(parse_upstream_url("http://h:0/"));
    CHECK_FALSE(parse_upstream_url("http://h:99999/"));
    CHECK_FALSE(parse_upstream_url("http://h:abc/"));
  }

  TEST_CASE("paths join with exactly one slash; queries are appended") {
    CHECK(join_path("/v1", "/chat/completions") == "/v1/chat/completions");
    CHECK(join_path("/v1/", "models") == "/v1/models");
    CHECK(join_path("", "/compatibility/v1/chat/completions") == "/compatibility/v1/chat/completions");
    CHECK(join_path("", "") == "/");
    CHECK(make_target("/v1", "/models", "a=1") == "/v1/models?a=1");
    CHECK(make_target("/v1", "/models", "") == "/v1/models");
  }
}
