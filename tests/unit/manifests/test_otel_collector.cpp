#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "manifests/otel_collector.hpp"

using namespace igw::manifests;
using nlohmann::ordered_json;

namespace {

// The YAML text holds exactly the JSON model: same keys in the same order, same scalars.
void check_same(const ordered_json& j, const YAML::Node& n, const std::string& path) {
  CAPTURE(path);
  if (j.is_object()) {
    REQUIRE(n.IsMap());
    CHECK(n.size() == j.size());
    auto it = n.begin();
    for (const auto& [key, value] : j.items()) {
      REQUIRE(it != n.end());
      CHECK(it->first.as<std::string>() == key);
      check_same(value, it->second, path + "." + key);
      ++it;
    }
  } else if (j.is_array()) {
    REQUIRE(n.IsSequence());
    REQUIRE(n.size() == j.size());
    for (std::size_t i = 0; i < j.size(); ++i) check_same(j[i], n[i], path + "[" + std::to_string(i) + "]");
  } else if (j.is_boolean()) {
    CHECK(n.as<bool>() == j.get<bool>());
  } else if (j.is_number_integer()) {
    CHECK(n.as<long long>() == j.get<long long>());
  } else {
    CHECK(n.as<std::string>() == j.get<std::string>());
  }
}

}  // namespace

TEST_SUITE("manifests.otel_collector") {
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

  TEST_CASE("the Jaeger endpoint comes from the options; nothing else does") {
    auto o = default_options();
    o.jaeger_endpoint = "tempo.tracing:4317";
    o.name = "other";
    auto c = collector_config(o);
    CHECK(c["exporters"]["otlp/jaeger"]["endpoint"] == "tempo.tracing:4317");
    c["exporters"]["otlp/jaeger"]["endpoint"] = default_options().jaeger_endpoint;
    CHECK(c == collector_config(default_options()));
  }

  TEST_CASE("every component a pipeline names is defined in its section") {
    auto c = collector_config(default_options());
    for (const auto& [name, pipeline] : c["service"]["pipelines"].items()) {
      CAPTURE(name);
      for (std::string section : {"receivers", "processors", "exporters"}) {
        REQUIRE(pipeline.contains(section));
        CHECK_FALSE(pipeline[section].empty());
        for (const auto& component : pipeline[section])
          CHECK_MESSAGE(c[section].contains(component.get<std::string>()), section << ": " << component);
      }
    }
  }

  TEST_CASE("the receivers listen on OTLP's conventional ports, on every interface") {
    auto c = collector_config(default_options());
    CHECK(c["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"] ==
          "0.0.0.0:" + std::to_string(kOtlpGrpcPort));
    CHECK(c["receivers"]["otlp"]["protocols"]["http"]["endpoint"] ==
          "0.0.0.0:" + std::to_string(kOtlpHttpPort));
  }

  TEST_CASE("the YAML text reads back as the configuration, key order included") {
    auto o = default_options();
    check_same(collector_config(o), YAML::Load(collector_config_yaml(o)), "$");
  }
}
