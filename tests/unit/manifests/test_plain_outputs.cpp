#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include "config/settings.hpp"
#include "manifests/compose.hpp"
#include "manifests/otel_collector.hpp"
#include "manifests/prometheus.hpp"
#include "manifests/rules.hpp"

using namespace igw::manifests;

namespace {

std::string content(const std::vector<File>& files, std::string_view path) {
  for (const auto& f : files)
    if (f.path == path) return f.content;
  FAIL("no file " << path);
  return {};
}

}  // namespace

TEST_SUITE("manifests.plain") {
  TEST_CASE("the page's scrape config, loading the rule file beside it") {
    auto files = prometheus_files(default_options());
    REQUIRE(files.size() == 2);
    auto config = YAML::Load(content(files, "prometheus.yml"));
    auto job = config["scrape_configs"][0];
    CHECK(job["job_name"].as<std::string>() == "inference-gateway");
    CHECK(job["metrics_path"].as<std::string>() == "/metrics");
    CHECK(job["static_configs"][0]["targets"][0].as<std::string>() == "inference-gateway:9464");
    CHECK(job["static_configs"][0]["labels"]["service"].as<std::string>() == "inference-gateway");
    CHECK(config["rule_files"][0].as<std::string>() == kRulesFile);
    CHECK(content(files, kRulesFile) == rules_file(default_options()));
  }

  TEST_CASE("the page's collector pipeline") {
    auto c = YAML::Load(collector_config_yaml(default_options()));
    CHECK(c["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"].as<std::string>() == "0.0.0.0:4317");
    CHECK(c["receivers"]["otlp"]["protocols"]["http"]["endpoint"].as<std::string>() == "0.0.0.0:4318");
    CHECK(c["processors"]["batch"]["send_batch_size"].as<int>() == 1024);
    CHECK(c["processors"]["batch"]["timeout"].as<std::string>() == "5s");
    CHECK(c["processors"]["memory_limiter"]["limit_mib"].as<int>() == 512);
    CHECK(c["exporters"]["otlp/jaeger"]["endpoint"].as<std::string>() == "jaeger-collector:4317");
    CHECK(c["exporters"]["otlp/jaeger"]["tls"]["insecure"].as<bool>());
    CHECK(c["exporters"]["debug"]["verbosity"].as<std::string>() == "basic");
    auto traces = c["service"]["pipelines"]["traces"];
    CHECK(traces["processors"][0].as<std::string>() == "memory_limiter");
    CHECK(traces["processors"][1].as<std::string>() == "batch");
    CHECK(traces["exporters"][0].as<std::string>() == "otlp/jaeger");
  }

  TEST_CASE("the compose stack wires its services together") {
    auto files = compose_files(default_options());
    auto compose = YAML::Load(content(files, "docker-compose.yaml"));
    for (auto service :
         {"inference-gateway", "prometheus", "grafana", "loki", "promtail", "otel-collector", "jaeger"})
      CHECK(compose["services"][service].IsMap());
    auto env = compose["services"]["inference-gateway"]["environment"];
    CHECK(env["TELEMETRY_ENABLE"].as<std::string>() == "true");
    for (const auto& s : igw::config::settings())
      if (s.status == igw::config::Status::planned) CHECK_MESSAGE(!env[s.env], s.env);  // would stop the gateway
    CHECK(env["OPENAI_API_KEY"].as<std::string>() == "${OPENAI_API_KEY:-}");
    // The stack's collector sends to the stack's Jaeger; Prometheus scrapes the gateway service.
    auto otel = YAML::Load(content(files, "otel-collector/config.yaml"));
    CHECK(otel["exporters"]["otlp/jaeger"]["endpoint"].as<std::string>() == "jaeger:4317");
    auto prom = YAML::Load(content(files, "prometheus/prometheus.yml"));
    CHECK(prom["scrape_configs"][0]["static_configs"][0]["targets"][0].as<std::string>() ==
          "inference-gateway:9464");
    auto promtail = YAML::Load(content(files, "promtail/promtail.yaml"));
    CHECK(promtail["scrape_configs"][0]["relabel_configs"][0]["target_label"].as<std::string>() == "app");
    CHECK(content(files, "README.md").find("docker compose up -d") != std::string::npos);
  }
}
