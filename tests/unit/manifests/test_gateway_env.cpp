#include <doctest/doctest.h>

#include <map>
#include <set>

#include "config/settings.hpp"
#include "manifests/gateway_env.hpp"

using namespace igw::manifests;
namespace config = igw::config;

namespace {

constexpr std::string_view kEndpoint = "http://collector.example:4317";

std::map<std::string, EnvVar> by_name(const std::vector<EnvVar>& vars) {
  std::map<std::string, EnvVar> out;
  for (const auto& v : vars) out[v.name] = v;
  return out;
}

bool implemented(config::Key key) {
  return config::setting(key).status == config::Status::implemented;
}

}  // namespace

TEST_SUITE("manifests.gateway_env") {
  TEST_CASE("settings the catalog marks planned are never emitted") {
    auto env = by_name(gateway_env(default_options(), kEndpoint));
    for (const auto& s : config::settings()) {
      CAPTURE(s.env);
      if (s.status == config::Status::planned) CHECK_FALSE(env.contains(s.env));
    }
  }

  TEST_CASE("every name is a catalog env name (not an alias), once") {
    auto vars = gateway_env(default_options(), kEndpoint);
    std::set<std::string> seen;
    for (const auto& v : vars) {
      CAPTURE(v.name);
      CHECK(seen.insert(v.name).second);
      auto index = config::find_setting(v.name);
      REQUIRE(index);
      CHECK(config::settings()[*index].env == v.name);
    }
  }

  TEST_CASE("secrets by reference only: every implemented secret is there, with no value") {
    auto env = by_name(gateway_env(default_options(), kEndpoint));
    int secrets = 0;
    for (const auto& s : config::settings()) {
      if (!s.secret || s.status != config::Status::implemented) continue;
      CAPTURE(s.env);
      REQUIRE(env.contains(s.env));
      CHECK(env[s.env].secret);
      CHECK(env[s.env].value.empty());
      ++secrets;
    }
    CHECK(secrets > 0);  // the provider API keys at least
    for (const auto& [name, var] : env) {
      CAPTURE(name);
      CHECK(var.secret == config::settings()[*config::find_setting(name)].secret);  // no secret gets a value
    }
  }

  TEST_CASE("the fixed values: production, all interfaces, the catalog's ports, telemetry on") {
    auto env = by_name(gateway_env(default_options(), kEndpoint));
    CHECK(env[config::env_name(config::Key::environment)].value == config::kProduction);
    CHECK(env[config::env_name(config::Key::server_host)].value == "0.0.0.0");
    CHECK(env[config::env_name(config::Key::server_port)].value == std::to_string(api_port()));
    CHECK(env[config::env_name(config::Key::telemetry_enable)].value == "true");
    CHECK(env[config::env_name(config::Key::telemetry_metrics_port)].value == std::to_string(metrics_port()));
    CHECK(api_port() == config::default_port(config::Key::server_port));
    CHECK(metrics_port() == config::default_port(config::Key::telemetry_metrics_port));
  }

  TEST_CASE("the service name follows --name; the endpoint is the caller's, when tracing is implemented") {
    auto o = default_options();
    o.name = "llm-gw";
    auto env = by_name(gateway_env(o, kEndpoint));
    const auto& service = config::env_name(config::Key::otel_service_name);
    if (implemented(config::Key::otel_service_name)) {
      REQUIRE(env.contains(service));
      CHECK(env[service].value == "llm-gw");
    } else {
      CHECK_FALSE(env.contains(service));
    }
    const auto& endpoint = config::env_name(config::Key::otel_exporter_otlp_endpoint);
    if (implemented(config::Key::otel_exporter_otlp_endpoint)) {
      REQUIRE(env.contains(endpoint));
      CHECK(env[endpoint].value == kEndpoint);
    } else {
      CHECK_FALSE(env.contains(endpoint));
    }
    const auto& protocol = config::env_name(config::Key::otel_exporter_otlp_protocol);
    if (implemented(config::Key::otel_exporter_otlp_protocol))
      CHECK(env[protocol].value == "grpc");  // port 4317
    const auto& attributes = config::env_name(config::Key::otel_resource_attributes);
    if (implemented(config::Key::otel_resource_attributes))
      CHECK(env[attributes].value == "deployment.environment=" + std::string{config::kProduction});
  }

  TEST_CASE("fixed values first in catalog order, then the secrets in catalog order") {
    auto vars = gateway_env(default_options(), kEndpoint);
    REQUIRE_FALSE(vars.empty());
    CHECK_FALSE(vars.front().secret);
    std::size_t last = 0;
    bool in_secrets = false;
    for (const auto& v : vars) {
      CAPTURE(v.name);
      if (v.secret && !in_secrets) {
        in_secrets = true;
        last = 0;
      }
      CHECK(v.secret == in_secrets);  // no fixed value after the first secret
      auto index = *config::find_setting(v.name);
      CHECK(index >= last);
      last = index;
    }
  }

  TEST_CASE("SERVER_DRAIN_TIMEOUT only when the options set one; the grace period follows it") {
    const auto& name = config::env_name(config::Key::server_drain_timeout);
    auto o = default_options();
    CHECK_FALSE(by_name(gateway_env(o, kEndpoint)).contains(name));
    CHECK(shutdown_grace_seconds(o) == 30 + kShutdownMarginSeconds);
    CHECK(config::setting(config::Key::server_drain_timeout).default_value == "30s");
    o.drain_timeout = "2m";
    auto env = by_name(gateway_env(o, kEndpoint));
    REQUIRE(env.contains(name));
    CHECK(env[name].value == "2m");
    CHECK_FALSE(env[name].secret);
    CHECK(shutdown_grace_seconds(o) == 120 + kShutdownMarginSeconds);
    o.drain_timeout = "0";
    CHECK(shutdown_grace_seconds(o) == kShutdownMarginSeconds);
    o.drain_timeout = "100ms";
    CHECK(shutdown_grace_seconds(o) == 1 + kShutdownMarginSeconds);
  }
}
