#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>

#include "config/settings.hpp"
#include "manifests/compose.hpp"
#include "manifests/gateway_env.hpp"

using namespace igw::manifests;

namespace {

std::string content(const std::vector<File>& files, std::string_view path) {
  for (const auto& f : files)
    if (f.path == path) return f.content;
  FAIL("no file " << path);
  return {};
}

bool has_file(const std::vector<File>& files, std::string_view path) {
  return std::ranges::any_of(files, [&](const File& f) { return f.path == path; });
}

YAML::Node compose_of(const Options& o) {
  return YAML::Load(content(compose_files(o), "docker-compose.yaml"));
}

}  // namespace

TEST_SUITE("manifests.compose") {
  TEST_CASE("the compose stack wires its services together") {
    auto files = compose_files(default_options());
    auto compose = YAML::Load(content(files, "docker-compose.yaml"));
    for (auto service :
         {"inference-gateway", "prometheus", "grafana", "loki", "promtail", "otel-collector", "jaeger"})
      CHECK(compose["services"][service].IsMap());
    auto env = compose["services"]["inference-gateway"]["environment"];
    CHECK(env["TELEMETRY_ENABLE"].as<std::string>() == "true");
    for (const auto& s : igw::config::settings())
      if (s.status == igw::config::Status::planned)
        CHECK_MESSAGE(!env[s.env], s.env);  // would stop the gateway
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

  TEST_CASE("every file the stack needs, each once") {
    auto files = compose_files(default_options());
    std::vector<std::string> paths;
    for (const auto& f : files) {
      paths.push_back(f.path);
      CHECK_MESSAGE(!f.content.empty(), f.path);
    }
    CHECK(paths ==
          std::vector<std::string>{
              "docker-compose.yaml", "prometheus/prometheus.yml", "prometheus/inference-gateway-rules.yml",
              "grafana/provisioning/datasources/datasources.yaml",
              "grafana/provisioning/dashboards/dashboards.yaml", "grafana/dashboards/inference-gateway.json",
              "promtail/promtail.yaml", "otel-collector/config.yaml", "README.md"});
  }

  TEST_CASE("every depends_on names a service of the stack") {
    auto services = compose_of(default_options())["services"];
    for (auto it = services.begin(); it != services.end(); ++it) {
      auto name = it->first.as<std::string>();
      for (const auto& dep : it->second["depends_on"]) {
        CAPTURE(name);
        CHECK(services[dep.as<std::string>()].IsMap());
        CHECK(dep.as<std::string>() != name);
      }
    }
  }

  // A config file a service's command reads from a mounted folder must be one the generator writes there.
  TEST_CASE("each config file a command names is generated in the folder mounted there") {
    auto o = default_options();
    auto files = compose_files(o);
    auto services = YAML::Load(content(files, "docker-compose.yaml"))["services"];
    int checked = 0;
    for (auto it = services.begin(); it != services.end(); ++it) {
      std::map<std::string, std::string> mounts;  // container folder -> folder of the generated tree
      for (const auto& v : it->second["volumes"]) {
        auto text = v.as<std::string>();
        if (!text.starts_with("./")) continue;
        auto colon = text.find(':');
        auto rest = text.substr(colon + 1);
        mounts[rest.substr(0, rest.find(':'))] = text.substr(2, colon - 2);
      }
      for (const auto& arg : it->second["command"]) {
        auto text = arg.as<std::string>();
        auto eq = text.find("=/");
        if (eq == std::string::npos) continue;
        auto path = text.substr(eq + 1);
        for (const auto& [inside, outside] : mounts)
          if (path.starts_with(inside + "/")) {
            CAPTURE(text);
            CHECK(has_file(files, outside + path.substr(inside.size())));
            ++checked;
          }
      }
    }
    CHECK(checked == 3);  // prometheus, promtail, otel-collector (loki uses its image's own file)
  }

  TEST_CASE("Grafana mounts the dashboards where its provider looks, and the dashboard is there") {
    auto files = compose_files(default_options());
    auto grafana = YAML::Load(content(files, "docker-compose.yaml"))["services"]["grafana"];
    auto provider = YAML::Load(content(files, "grafana/provisioning/dashboards/dashboards.yaml"));
    auto where = provider["providers"][0]["options"]["path"].as<std::string>();
    bool mounted = false;
    for (const auto& v : grafana["volumes"])
      mounted = mounted || v.as<std::string>() == "./grafana/dashboards:" + where + ":ro";
    CHECK(mounted);
    CHECK(has_file(files, "grafana/dashboards/inference-gateway.json"));
  }

  TEST_CASE(
      "the gateway publishes its API port only; its environment is gateway_env's, secrets from the host") {
    auto o = default_options();
    auto gw = compose_of(o)["services"][o.name];
    REQUIRE(gw["ports"].size() == 1);
    CHECK(gw["ports"][0].as<std::string>() == std::to_string(api_port()) + ":" + std::to_string(api_port()));
    CHECK(gw["image"].as<std::string>() == o.image);
    auto env = gw["environment"];
    auto want = gateway_env(o, "http://otel-collector:4317");
    CHECK(env.size() == want.size());
    for (const auto& var : want) {
      CAPTURE(var.name);
      REQUIRE(env[var.name]);
      if (var.secret)
        CHECK(env[var.name].as<std::string>() == "${" + var.name + ":-}");  // empty when the host has none
      else
        CHECK(env[var.name].as<std::string>() == var.value);
    }
  }

  TEST_CASE("a custom name renames the project, the gateway service, the scrape target and the log filter") {
    auto o = default_options();
    o.name = "llm-gw";
    auto files = compose_files(o);
    auto compose = YAML::Load(content(files, "docker-compose.yaml"));
    CHECK(compose["name"].as<std::string>() == "llm-gw");
    CHECK(compose["services"]["llm-gw"].IsMap());
    CHECK_FALSE(compose["services"]["inference-gateway"]);
    CHECK(compose["services"]["prometheus"]["depends_on"][0].as<std::string>() == "llm-gw");
    auto prom = YAML::Load(content(files, "prometheus/prometheus.yml"));
    CHECK(prom["scrape_configs"][0]["static_configs"][0]["targets"][0].as<std::string>() ==
          "llm-gw:" + std::to_string(metrics_port()));
    auto promtail = YAML::Load(content(files, "promtail/promtail.yaml"));
    CHECK(
        promtail["scrape_configs"][0]["docker_sd_configs"][0]["filters"][0]["values"][0].as<std::string>() ==
        "com.docker.compose.service=llm-gw");
  }

  TEST_CASE("traces always go to the stack's own Jaeger, whatever --jaeger-endpoint says") {
    auto o = default_options();
    o.jaeger_endpoint = "far-away:4317";
    auto otel = YAML::Load(content(compose_files(o), "otel-collector/config.yaml"));
    CHECK(otel["exporters"]["otlp/jaeger"]["endpoint"].as<std::string>() == "jaeger:4317");
    CHECK(compose_of(o)["services"]["jaeger"]["environment"]["COLLECTOR_OTLP_ENABLED"].as<std::string>() ==
          "true");
  }

  TEST_CASE("docker stops the gateway no sooner than its drain allows") {
    auto o = default_options();
    auto gw = compose_of(o)["services"][o.name];
    CHECK(gw["stop_grace_period"].as<std::string>() == std::to_string(shutdown_grace_seconds(o)) + "s");
    o.drain_timeout = "50s";
    gw = compose_of(o)["services"][o.name];
    CHECK(gw["stop_grace_period"].as<std::string>() == std::to_string(50 + kShutdownMarginSeconds) + "s");
    CHECK(gw["environment"]["SERVER_DRAIN_TIMEOUT"].as<std::string>() == "50s");
  }
}
