#include <doctest/doctest.h>

#include <algorithm>
#include <regex>
#include <set>

#include "config/loader.hpp"
#include "config/parse.hpp"
#include "config/providers.hpp"
#include "config/settings.hpp"
#include "tests/unit/source_scan.hpp"

using namespace igw::config;

TEST_SUITE("config/settings") {
  TEST_CASE("every env name and alias is unique and upper snake case") {
    std::set<std::string> names;
    const std::regex upper{"^[A-Z][A-Z0-9_]*$"};
    for (const auto& s : settings()) {
      CHECK_MESSAGE(names.insert(s.env).second, s.env);
      CHECK_MESSAGE(std::regex_match(s.env, upper), s.env);
      CHECK_MESSAGE(!s.description.empty(), s.env);
      for (const auto& a : s.aliases) CHECK_MESSAGE(names.insert(a).second, a);
    }
  }

  TEST_CASE("secrets have no flag; everything else has one derived from its env name") {
    for (const auto& s : settings()) {
      if (s.secret) {
        CHECK_MESSAGE(s.flag.empty(), s.env);
        CHECK_MESSAGE(s.default_value.empty(), s.env);
      } else {
        CHECK_MESSAGE(s.flag.starts_with("--"), s.env);
      }
    }
  }

  TEST_CASE("every default parses as its own type") {
    auto cfg = Config::load({});
    REQUIRE_MESSAGE(cfg.has_value(), (cfg ? "" : cfg.error().message()));
    for (std::size_t i = 0; i < settings().size(); ++i)
      CHECK(cfg->value(i).origin == Origin::default_value);
  }

  TEST_CASE("the spec's settings and their documented defaults") {
    auto d = [](std::string_view env) {
      auto i = find_setting(env);
      REQUIRE_MESSAGE(i.has_value(), env);
      return settings()[*i];
    };
    CHECK(d("TELEMETRY_ENABLE").default_value == "false");
    CHECK(d("TELEMETRY_ENABLE").aliases == std::vector<std::string>{"TELEMETRY_ENABLED", "ENABLE_TELEMETRY"});
    CHECK(d("TELEMETRY_METRICS_PORT").default_value == "9464");
    CHECK(d("SERVER_PORT").default_value == "8080");
    CHECK(d("SERVER_HOST").default_value == "127.0.0.1");
    CHECK(d("SERVER_MAX_REQUEST_BODY_SIZE").default_value == "10485760");
    CHECK(d("MCP_ENABLE").aliases == std::vector<std::string>{"MCP_ENABLED"});
    CHECK(d("AUTH_ENABLE").aliases == std::vector<std::string>{"AUTH_ENABLED"});
    CHECK(d("OTEL_EXPORTER_OTLP_PROTOCOL").choices == std::vector<std::string>{"grpc", "http/protobuf", "http/json"});
    for (auto env : {"ENVIRONMENT", "SERVER_READ_TIMEOUT", "SERVER_WRITE_TIMEOUT", "SERVER_IDLE_TIMEOUT",
                     "SERVER_TLS_CERT_PATH", "SERVER_TLS_KEY_PATH", "CLIENT_TIMEOUT", "OTEL_EXPORTER_OTLP_ENDPOINT",
                     "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "MCP_SERVERS",
                     "MCP_EXPOSE", "AUTH_OIDC_ISSUER", "AUTH_OIDC_CLIENT_ID", "ALLOWED_MODELS", "DISALLOWED_MODELS"})
      CHECK_MESSAGE(find_setting(env).has_value(), env);
  }

  TEST_CASE("two settings per provider: URL with the table's default, and a secret key") {
    auto p = providers();
    REQUIRE(p.size() == 15);
    for (std::size_t i = 0; i < p.size(); ++i) {
      const auto& url = settings()[provider_url_index(i)];
      const auto& key = settings()[provider_key_index(i)];
      CHECK(url.env == provider_url_env(p[i]));
      CHECK(url.default_value == p[i].default_url);
      CHECK(parse_url(url.default_value).has_value());
      CHECK(key.env == provider_key_env(p[i]));
      CHECK(key.secret);
    }
    CHECK(provider_url_env(p[*find_provider("ollama_cloud")]) == "OLLAMA_CLOUD_API_URL");
  }
}

TEST_SUITE("config/settings status") {
  // The code that runs a setting reads it through Config's typed accessors; the catalog (config/), the
  // generators (which only write settings into manifests) and the tests do not count.
  const std::vector<std::string_view> kReaders{"cli", "server", "mock", "telemetry", "logs"};

  TEST_CASE("every setting marked implemented is read by the code, every planned one by nothing") {
    auto keys = igw::test::enumerators("config/settings.hpp", "Key");
    REQUIRE(keys.size() == kFixedSettingCount);
    auto files = igw::test::sources(kReaders);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const auto& s = settings()[i];
      CAPTURE(s.env);
      const std::regex read{R"(\.(text|boolean|integer|port|size|duration|list|value)\(\s*(config::)?Key::)" +
                            keys[i] + R"(\s*\))"};
      CHECK(igw::test::any_matches(files, read) == (s.status == Status::implemented));
    }
  }

  TEST_CASE("provider URLs and keys are read where the provider table is resolved") {
    auto files = igw::test::sources(kReaders);
    CHECK(igw::test::any_matches(files, std::regex{R"(\.provider_url\()"}));
    CHECK(igw::test::any_matches(files, std::regex{R"(\.provider_key\()"}));
    for (std::size_t i = kFixedSettingCount; i < settings().size(); ++i)
      CHECK_MESSAGE(settings()[i].status == Status::implemented, settings()[i].env);
  }

  TEST_CASE("the planned settings are the ones no code reads yet") {
    std::vector<std::string> planned;
    for (const auto& s : settings())
      if (s.status == Status::planned) planned.push_back(s.env);
    // Tracing, MCP and A2A: each flips to implemented with the change that makes it work. Auth verifies
    // tokens locally against the issuer's keys: it needs no client secret.
    CHECK(std::find(planned.begin(), planned.end(), "MCP_ENABLE") == planned.end());
    CHECK(std::find(planned.begin(), planned.end(), "A2A_AGENTS") == planned.end());
    CHECK(std::find(planned.begin(), planned.end(), "AUTH_OIDC_CLIENT_SECRET") != planned.end());
    CHECK(std::find(planned.begin(), planned.end(), "AUTH_ENABLE") == planned.end());
    CHECK(std::find(planned.begin(), planned.end(), "MCP_EXPOSE") == planned.end());
    CHECK(std::find(planned.begin(), planned.end(), "OTEL_SERVICE_NAME") == planned.end());
  }
}
