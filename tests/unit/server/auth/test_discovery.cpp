#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "server/auth/discovery.hpp"

using namespace igw::server::auth;
using Json = nlohmann::json;

namespace {

constexpr const char* kIssuer = "https://idp.example/realms/igw";

Json document() {
  return {{"issuer", kIssuer},
          {"jwks_uri", "https://idp.example/realms/igw/certs"},
          {"id_token_signing_alg_values_supported", {"RS256", "ES256"}}};
}

std::string error_of(const Json& doc) {
  auto parsed = parse_discovery(doc.dump(), kIssuer);
  return parsed ? std::string{"(parsed)"} : parsed.error();
}

}  // namespace

TEST_SUITE("auth discovery") {
  TEST_CASE("issuer, jwks_uri and the id-token algorithms") {
    auto d = parse_discovery(document().dump(), kIssuer);
    REQUIRE(d);
    CHECK(d->issuer == kIssuer);
    CHECK(d->jwks_uri == "https://idp.example/realms/igw/certs");
    CHECK(d->signing_algs == std::vector<std::string>{"RS256", "ES256"});
  }

  TEST_CASE("the algorithms are the union of what the issuer signs with, without repeats") {
    auto doc = document();
    doc["access_token_signing_alg_values_supported"] = {"PS256", "RS256"};
    doc["introspection_signing_alg_values_supported"] = {"ES384"};
    doc["userinfo_signing_alg_values_supported"] = {"none", "RS256"};
    auto d = parse_discovery(doc.dump(), kIssuer);
    REQUIRE(d);
    auto algs = d->signing_algs;
    std::sort(algs.begin(), algs.end());
    CHECK(algs == std::vector<std::string>{"ES256", "ES384", "PS256", "RS256", "none"});
  }

  TEST_CASE("what clients sign with is not what the issuer signs with") {
    auto doc = document();
    doc["token_endpoint_auth_signing_alg_values_supported"] = {"HS256", "PS512"};
    doc["introspection_endpoint_auth_signing_alg_values_supported"] = {"HS384"};
    doc["revocation_endpoint_auth_signing_alg_values_supported"] = {"HS512"};
    doc["request_object_signing_alg_values_supported"] = {"ES384"};
    doc["backchannel_authentication_request_signing_alg_values_supported"] = {"PS256"};
    auto d = parse_discovery(doc.dump(), kIssuer);
    REQUIRE(d);
    CHECK(d->signing_algs == std::vector<std::string>{"RS256", "ES256"});
  }

  TEST_CASE("no published algorithm gives an empty list") {
    auto doc = document();
    doc.erase("id_token_signing_alg_values_supported");
    CHECK(parse_discovery(doc.dump(), kIssuer)->signing_algs.empty());
  }

  TEST_CASE("the issuer must equal the configured one exactly") {
    for (const char* configured : {"https://idp.example/realms/igw/", "https://IDP.example/realms/igw",
                                   "http://idp.example/realms/igw", "https://idp.example"}) {
      auto parsed = parse_discovery(document().dump(), configured);
      REQUIRE_FALSE(parsed);
      CHECK(parsed.error() ==
            "discovery issuer \"https://idp.example/realms/igw\" is not the configured issuer \"" +
                std::string{configured} + "\"");
    }
  }

  TEST_CASE("issuer and jwks_uri are required strings; jwks_uri is an http(s) URL") {
    auto doc = document();
    doc.erase("issuer");
    CHECK(error_of(doc) == "discovery document has no \"issuer\" string");
    doc = document();
    doc["jwks_uri"] = 5;
    CHECK(error_of(doc) == "discovery document has no \"jwks_uri\" string");
    doc["jwks_uri"] = "";
    CHECK(error_of(doc) == "discovery document has no \"jwks_uri\" string");
    doc["jwks_uri"] = "file:///etc/keys.json";
    CHECK(error_of(doc) == "discovery \"jwks_uri\" \"file:///etc/keys.json\" is not an http(s) URL");
    doc["jwks_uri"] = "http://127.0.0.1:8080/certs";
    CHECK(error_of(doc) == "(parsed)");
  }

  TEST_CASE("algorithm lists must be arrays of strings") {
    auto doc = document();
    doc["id_token_signing_alg_values_supported"] = "RS256";
    CHECK(error_of(doc) == "discovery \"id_token_signing_alg_values_supported\" is not an array");
    doc["id_token_signing_alg_values_supported"] = {"RS256", 7};
    CHECK(error_of(doc) == "discovery \"id_token_signing_alg_values_supported\" holds a non-string");
  }

  TEST_CASE("a document that is not a JSON object is an error") {
    CHECK(parse_discovery("", kIssuer).error() == "discovery document is not valid JSON");
    CHECK(parse_discovery("[]", kIssuer).error() == "discovery document is not a JSON object");
    CHECK(parse_discovery(std::string(kMaxDiscoveryBytes + 1, ' '), kIssuer).error() ==
          "discovery document is larger than 1 MiB");
  }
}
