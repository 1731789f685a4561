#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "manifests/k8s.hpp"

using namespace igw::manifests;
using nlohmann::json;

namespace {

json list(const Options& o, K8sOptions k) {
  k.format = Format::json;
  return json::parse(k8s_manifest(o, k).value());
}

std::vector<std::string> kinds_of(const json& items) {
  std::vector<std::string> kinds;
  for (const auto& item : items) kinds.push_back(item["kind"]);
  return kinds;
}

}  // namespace

TEST_SUITE("manifests.k8s") {
  TEST_CASE("the default objects, as a JSON List and as YAML documents") {
    auto items = list(default_options(), {})["items"];
    CHECK(kinds_of(items) == std::vector<std::string>{"Service", "ServiceMonitor", "PrometheusRule",
                                                      "ConfigMap", "ConfigMap", "Deployment", "Service"});
    auto docs = YAML::LoadAll(k8s_manifest(default_options(), {}).value());
    CHECK(docs.size() == items.size());
  }

  TEST_CASE("the JSON form is a v1 List; each YAML document is the same object") {
    auto whole = list(default_options(), {});
    CHECK(whole["apiVersion"] == "v1");
    CHECK(whole["kind"] == "List");
    auto docs = YAML::LoadAll(k8s_manifest(default_options(), {}).value());
    REQUIRE(docs.size() == whole["items"].size());
    for (std::size_t i = 0; i < docs.size(); ++i) {
      CHECK(docs[i]["kind"].as<std::string>() == whole["items"][i]["kind"]);
      CHECK(docs[i]["metadata"]["name"].as<std::string>() == whole["items"][i]["metadata"]["name"]);
      CHECK(docs[i]["metadata"]["namespace"].as<std::string>() == whole["items"][i]["metadata"]["namespace"]);
    }
  }

  TEST_CASE("--with-gateway adds the gateway Deployment, last") {
    K8sOptions k;
    k.with_gateway = true;
    auto items = list(default_options(), k)["items"];
    REQUIRE(items.size() == 8);
    CHECK(items.back()["kind"] == "Deployment");
    CHECK(items.back()["metadata"]["name"] == "inference-gateway");
  }

  TEST_CASE(
      "the gateway's autoscaler and disruption budget follow its Deployment, and only when they apply") {
    K8sOptions k;
    k.with_gateway = true;
    auto gateway_kinds = [&] {
      auto kinds = kinds_of(list(default_options(), k)["items"]);
      return std::vector<std::string>(kinds.begin() + 7, kinds.end());
    };
    CHECK(gateway_kinds() == std::vector<std::string>{"Deployment"});  // one replica: nothing to protect
    k.gateway.replicas = 3;
    CHECK(gateway_kinds() == std::vector<std::string>{"Deployment", "PodDisruptionBudget"});
    k.gateway.hpa_max = 6;
    CHECK(gateway_kinds() ==
          std::vector<std::string>{"Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"});
    k.gateway.replicas = 1;  // the autoscaler's minimum is --replicas: one pod, no budget
    CHECK(gateway_kinds() == std::vector<std::string>{"Deployment", "HorizontalPodAutoscaler"});
    k.gateway.hpa_min = 2;
    CHECK(gateway_kinds() ==
          std::vector<std::string>{"Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"});
    k.with_gateway = false;  // the flags alone emit nothing
    CHECK(kinds_of(list(default_options(), k)["items"]).size() == 7);
  }

  TEST_CASE("the new kinds have their own files and work with --only") {
    K8sOptions k;
    k.with_gateway = true;
    k.gateway.hpa_min = 2;
    k.gateway.hpa_max = 4;
    k.only = {"HorizontalPodAutoscaler", "PodDisruptionBudget"};
    auto files = k8s_files(default_options(), k).value();
    REQUIRE(files.size() == 2);
    CHECK(files[0].path == "horizontalpodautoscaler-inference-gateway.yaml");
    CHECK(files[1].path == "poddisruptionbudget-inference-gateway.yaml");
    CHECK(YAML::Load(files[0].content)["apiVersion"].as<std::string>() == "autoscaling/v2");
    CHECK(YAML::Load(files[1].content)["apiVersion"].as<std::string>() == "policy/v1");
  }

  TEST_CASE("invalid gateway options are reported, not emitted") {
    K8sOptions k;
    k.with_gateway = true;
    k.gateway.hpa_max = 1;
    k.gateway.replicas = 2;
    auto bad = k8s_manifest(default_options(), k);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().starts_with("--hpa-max 1: expected a whole number from 2 to"));
    CHECK_FALSE(k8s_files(default_options(), k));
  }

  TEST_CASE("--only keeps the named kinds; an unknown kind is an error") {
    K8sOptions k;
    k.only = {"ServiceMonitor", "PrometheusRule"};
    auto items = list(default_options(), k)["items"];
    REQUIRE(items.size() == 2);
    CHECK(items[0]["kind"] == "ServiceMonitor");
    k.only = {"Ingress"};
    auto bad = k8s_manifest(default_options(), k);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().starts_with("--only \"Ingress\": expected kinds among Service, ServiceMonitor"));
  }

  TEST_CASE("--only keeps every object of a kind, in the usual order, whatever order the flags came in") {
    K8sOptions k;
    k.only = {"ConfigMap"};
    auto items = list(default_options(), k)["items"];
    REQUIRE(items.size() == 2);
    CHECK(items[0]["metadata"]["name"] == "inference-gateway-dashboard");
    CHECK(items[1]["metadata"]["name"] == "otel-collector");
    k.only = {"Deployment", "Service"};
    CHECK(kinds_of(list(default_options(), k)["items"]) ==
          std::vector<std::string>{"Service", "Deployment", "Service"});
    k.with_gateway = true;
    k.only = {"Deployment"};
    CHECK(list(default_options(), k)["items"].size() == 2);  // the collector's and the gateway's
    k.only = {"service"};                                    // kinds are case-sensitive, as in Kubernetes
    CHECK_FALSE(k8s_manifest(default_options(), k));
    k.only = {"Service", "Ingress"};  // one bad kind fails the whole call
    CHECK_FALSE(k8s_files(default_options(), k));
  }

  TEST_CASE("k8s_kinds names every kind emitted, and nothing else") {
    K8sOptions k;
    k.with_gateway = true;
    k.gateway.hpa_min = 2;
    k.gateway.hpa_max = 5;
    auto emitted = kinds_of(list(default_options(), k)["items"]);
    auto kinds = k8s_kinds();
    for (const auto& kind : kinds) CHECK_MESSAGE(std::ranges::find(emitted, kind) != emitted.end(), kind);
    for (const auto& kind : emitted) CHECK_MESSAGE(std::ranges::find(kinds, kind) != kinds.end(), kind);
  }

  TEST_CASE("one file per object") {
    auto files = k8s_files(default_options(), {}).value();
    std::vector<std::string> names;
    for (const auto& f : files) names.push_back(f.path);
    CHECK(names == std::vector<std::string>{
                       "service-inference-gateway.yaml", "servicemonitor-inference-gateway.yaml",
                       "prometheusrule-inference-gateway.yaml", "configmap-inference-gateway-dashboard.yaml",
                       "configmap-otel-collector.yaml", "deployment-otel-collector.yaml",
                       "service-otel-collector.yaml"});
  }

  TEST_CASE("files as JSON: .json names, each file one object") {
    K8sOptions k;
    k.format = Format::json;
    k.with_gateway = true;
    k.only = {"Deployment"};
    auto files = k8s_files(default_options(), k).value();
    REQUIRE(files.size() == 2);
    CHECK(files[0].path == "deployment-otel-collector.json");
    CHECK(files[1].path == "deployment-inference-gateway.json");
    for (const auto& f : files) {
      CHECK(f.content.ends_with("}\n"));
      CHECK(json::parse(f.content)["kind"] == "Deployment");
    }
    auto yaml = k8s_files(default_options(), {}).value();
    CHECK(YAML::Load(yaml[0].content)["kind"].as<std::string>() == "Service");
  }

  TEST_CASE("invalid options are reported, not emitted") {
    auto o = default_options();
    o.interval = "often";
    CHECK_FALSE(k8s_manifest(o, {}));
    CHECK_FALSE(k8s_files(o, {}));
  }
}
