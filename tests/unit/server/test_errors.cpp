#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "server/errors.hpp"

using namespace igw::server;
using nlohmann::json;

TEST_SUITE("errors") {
  TEST_CASE("the error shape is {\"error\":\"<message>\"}, escaped") {
    auto j = json::parse(errors::body("a \"quoted\"\nline"));
    CHECK(j["error"] == "a \"quoted\"\nline");
    CHECK(j.size() == 1);
  }

  TEST_CASE("the fixed messages of SPEC.md 1.1") {
    CHECK(errors::provider_not_found("x").starts_with("Provider not found. "));
    CHECK(errors::provider_undetermined().starts_with("Unable to determine provider for model. "));
    CHECK(errors::decode_failed() == "Failed to decode request");
    CHECK(errors::route_not_found() == "Requested route is not found");
    CHECK(errors::provider_needs_key("groq", "GROQ_API_KEY").find("GROQ_API_KEY") != std::string::npos);
    CHECK(errors::body_too_large(10485760).find("10485760") != std::string::npos);
    CHECK(errors::upstream_certificate("openai", "self-signed certificate")
              .find("certificate verification failed") != std::string::npos);
  }

  TEST_CASE("Anthropic-style errors and in-stream error events") {
    auto a = json::parse(errors::anthropic_body("nope"));
    CHECK(a["type"] == "error");
    CHECK(a["error"]["message"] == "nope");
    auto ev = errors::sse_event("broke");
    REQUIRE(ev.starts_with("data: "));
    REQUIRE(ev.ends_with("\n\n"));
    auto j = json::parse(ev.substr(6));
    CHECK(j["error"]["message"] == "broke");
    CHECK(j["error"]["type"] == "upstream_error");
  }
}
