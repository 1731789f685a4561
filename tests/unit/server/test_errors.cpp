#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "server/errors.hpp"

using namespace igw::server;
using nlohmann::json;

TEST_SUITE("errors") {
  TEST_CASE("OpenAI's error shape: message escaped, a type for the status, param null, the code") {
    auto j = json::parse(errors::body(400, errors::code::invalid_json, "a \"quoted\"\nline"));
    CHECK(j.size() == 1);
    CHECK(j["error"].size() == 4);
    CHECK(j["error"]["message"] == "a \"quoted\"\nline");
    CHECK(j["error"]["type"] == "invalid_request_error");
    CHECK(j["error"]["param"].is_null());
    CHECK(j["error"]["code"] == "invalid_json");
    CHECK(errors::type_for(404) == "invalid_request_error");
    CHECK(errors::type_for(403) == "permission_error");
    CHECK(errors::type_for(502) == "upstream_error");
    CHECK(errors::type_for(504) == "upstream_error");
    CHECK(errors::type_for(500) == "server_error");
    CHECK(errors::type_for(503) == "server_error");
    CHECK(errors::upstream_code("timeout") == "upstream_timeout");
  }

  TEST_CASE("a provider's error: kept as sent when OpenAI-shaped, else wrapped, never re-encoded as a string") {
    const std::string openai = R"({"error":{"message":"Rate limit","type":"requests","param":null,"code":"rate_limit_exceeded"}})";
    CHECK(errors::upstream_error_body(429, openai) == openai);
    auto wrapped = json::parse(errors::upstream_error_body(500, R"({"error":"boom"})"));
    CHECK(wrapped["error"]["message"] == "boom");
    CHECK(wrapped["error"]["type"] == "server_error");
    CHECK(wrapped["error"]["code"] == "upstream_status_500");
    CHECK(json::parse(errors::upstream_error_body(422, R"({"message":"bad field","x":1})"))["error"]["message"] ==
          "bad field");
    CHECK(json::parse(errors::upstream_error_body(503, "Service Unavailable"))["error"]["message"] ==
          "Service Unavailable");
    CHECK(json::parse(errors::upstream_error_body(502, ""))["error"]["message"] ==
          "The provider answered with status 502");
    // {"error": {...}} without a message is not OpenAI's shape: wrapped, the original text as the message.
    auto odd = json::parse(errors::upstream_error_body(400, R"({"error":{"detail":"x"}})"));
    CHECK(odd["error"]["code"] == "upstream_status_400");
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
    auto ev = errors::sse_event("upstream_reset", "broke");
    REQUIRE(ev.starts_with("data: "));
    REQUIRE(ev.ends_with("\n\n"));
    auto j = json::parse(ev.substr(6));
    CHECK(j["error"]["message"] == "broke");
    CHECK(j["error"]["type"] == "upstream_error");
    CHECK(j["error"]["code"] == "upstream_reset");
    auto anthropic = errors::anthropic_sse_event("broke \"off\"");
    REQUIRE(anthropic.starts_with("event: error\ndata: "));
    REQUIRE(anthropic.ends_with("\n\n"));
    auto a2 = json::parse(anthropic.substr(anthropic.find("data: ") + 6));
    CHECK(a2["type"] == "error");
    CHECK(a2["error"]["type"] == "api_error");
    CHECK(a2["error"]["message"] == "broke \"off\"");
    CHECK(j["error"]["param"].is_null());
  }
}
