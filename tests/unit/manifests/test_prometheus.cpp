#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

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

TEST_SUITE("manifests.prometheus") {
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

  TEST_CASE("the files are prometheus.yml first, then the rule file it names") {
    auto files = prometheus_files(default_options());
    REQUIRE(files.size() == 2);
    CHECK(files[0].path == kPrometheusConfigFile);
    CHECK(files[1].path == kRulesFile);
    CHECK(YAML::Load(files[0].content)["rule_files"].size() == 1);
  }

  TEST_CASE("the target host is the caller's; name, intervals and timeout follow the options") {
    auto o = default_options();
    o.name = "llm-gw";
    o.interval = "30s";
    o.scrape_timeout = "20s";
    auto config = YAML::Load(prometheus_config(o, "10.0.0.7"));
    CHECK(config["global"]["scrape_interval"].as<std::string>() == "30s");
    CHECK(config["global"]["evaluation_interval"].as<std::string>() == "30s");
    CHECK(config["global"]["scrape_timeout"].as<std::string>() == "20s");
    REQUIRE(config["scrape_configs"].size() == 1);
    auto job = config["scrape_configs"][0];
    CHECK(job["job_name"].as<std::string>() == "llm-gw");
    CHECK(job["static_configs"][0]["targets"].size() == 1);
    CHECK(job["static_configs"][0]["targets"][0].as<std::string>() ==
          "10.0.0.7:" + std::to_string(metrics_port()));
    CHECK(job["static_configs"][0]["labels"]["service"].as<std::string>() == "llm-gw");
    // prometheus_files scrapes the gateway by its name.
    auto files = prometheus_files(o);
    CHECK(YAML::Load(
              content(files, kPrometheusConfigFile))["scrape_configs"][0]["static_configs"][0]["targets"][0]
              .as<std::string>() == "llm-gw:" + std::to_string(metrics_port()));
  }

  TEST_CASE("the default scrape settings: every 15s, timing out after 10s") {
    auto global = YAML::Load(prometheus_config(default_options(), "h"))["global"];
    CHECK(global["scrape_interval"].as<std::string>() == "15s");
    CHECK(global["scrape_timeout"].as<std::string>() == "10s");
  }
}
