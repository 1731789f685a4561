#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "manifests/k8s.hpp"
#include "config/settings.hpp"

using namespace igw::manifests;
using nlohmann::json;

namespace {

json list(const Options& o, K8sOptions k) {
  k.format = Format::json;
  return json::parse(k8s_manifest(o, k).value());
}

const json& find(const json& items, std::string_view kind, std::string_view name) {
  for (const auto& item : items)
    if (item["kind"] == kind && item["metadata"]["name"] == name) return item;
  FAIL("no " << kind << "/" << name);
  static json none;
  return none;
}

}  // namespace

TEST_SUITE("manifests.k8s") {
  TEST_CASE("the default objects, as a JSON List and as YAML documents") {
    auto items = list(default_options(), {})["items"];
    std::vector<std::string> kinds;
    for (const auto& item : items) kinds.push_back(item["kind"]);
    CHECK(kinds == std::vector<std::string>{"Service", "ServiceMonitor", "PrometheusRule", "ConfigMap",
                                            "ConfigMap", "Deployment", "Service"});
    auto docs = YAML::LoadAll(k8s_manifest(default_options(), {}).value());
    CHECK(docs.size() == items.size());
  }

  TEST_CASE("Service and ServiceMonitor as the page writes them") {
    auto items = list(default_options(), {})["items"];
    const auto& svc = find(items, "Service", "inference-gateway");
    CHECK(svc["metadata"]["labels"]["app"] == "inference-gateway");
    CHECK(svc["spec"]["ports"] == json::parse(R"([{"name":"http","port":8080,"targetPort":8080},
                                                   {"name":"metrics","port":9464,"targetPort":9464}])"));
    const auto& sm = find(items, "ServiceMonitor", "inference-gateway");
    CHECK(sm["metadata"]["namespace"] == "monitoring");
    CHECK(sm["metadata"]["labels"]["release"] == "kube-prometheus-stack");
    CHECK(sm["spec"]["namespaceSelector"]["matchNames"] == json{"inference-gateway"});
    CHECK(sm["spec"]["endpoints"] == json::parse(R"([{"port":"metrics","path":"/metrics","interval":"15s",
                                                      "scrapeTimeout":"10s"}])"));
    const auto& cm = find(items, "ConfigMap", "inference-gateway-dashboard");
    CHECK(cm["metadata"]["labels"]["grafana_dashboard"] == "1");
    CHECK(json::parse(cm["data"]["inference-gateway.json"].get<std::string>())["uid"] == "inference-gateway");
  }

  TEST_CASE("flags rename, move and relabel") {
    auto o = default_options();
    o.name = "llm-gw";
    o.ns = "llm";
    o.monitoring_ns = "mon";
    o.release = "prom";
    o.interval = "30s";
    auto items = list(o, {})["items"];
    const auto& sm = find(items, "ServiceMonitor", "llm-gw");
    CHECK(sm["metadata"]["namespace"] == "mon");
    CHECK(sm["metadata"]["labels"]["release"] == "prom");
    CHECK(sm["spec"]["selector"]["matchLabels"]["app"] == "llm-gw");
    CHECK(sm["spec"]["namespaceSelector"]["matchNames"] == json{"llm"});
    CHECK(sm["spec"]["endpoints"][0]["interval"] == "30s");
    CHECK(find(items, "Service", "llm-gw")["metadata"]["namespace"] == "llm");
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

  TEST_CASE("the gateway Deployment: env from the config catalog, secrets only by reference") {
    K8sOptions k;
    k.with_gateway = true;
    auto items = list(default_options(), k)["items"];
    const auto& dep = find(items, "Deployment", "inference-gateway");
    const auto& c = dep["spec"]["template"]["spec"]["containers"][0];
    std::map<std::string, json> env;
    for (const auto& e : c["env"]) env[e["name"]] = e;
    for (const auto& s : igw::config::settings()) {
      CAPTURE(s.env);
      if (s.status == igw::config::Status::planned) {  // it would stop the pod at start-up
        CHECK_FALSE(env.contains(s.env));
        continue;
      }
      if (!s.secret) continue;
      REQUIRE(env.contains(s.env));
      CHECK_FALSE(env[s.env].contains("value"));
      CHECK(env[s.env]["valueFrom"]["secretKeyRef"]["key"] == s.env);
    }
    CHECK(env["TELEMETRY_ENABLE"]["value"] == "true");
    CHECK(env["SERVER_HOST"]["value"] == "0.0.0.0");
    CHECK(env["OTEL_SERVICE_NAME"]["value"] == "inference-gateway");
    for (const auto& [name, e] : env) CHECK(igw::config::find_setting(name).has_value());
    CHECK(c["readinessProbe"]["httpGet"]["path"] == "/health");
    CHECK(c["securityContext"]["allowPrivilegeEscalation"] == false);
    CHECK(dep["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] == true);
    CHECK(c["resources"]["limits"].contains("memory"));
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

  TEST_CASE("invalid options are reported, not emitted") {
    auto o = default_options();
    o.interval = "often";
    CHECK_FALSE(k8s_manifest(o, {}));
    CHECK_FALSE(k8s_files(o, {}));
  }
}
