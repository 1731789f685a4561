#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "manifests/grafana.hpp"
#include "manifests/k8s_objects.hpp"
#include "manifests/rules.hpp"

using namespace igw::manifests;
using nlohmann::json;

namespace {

// The builders return ordered JSON; comparisons below are on content, not key order.
json plain(const nlohmann::ordered_json& j) {
  return json::parse(j.dump());
}

}  // namespace

TEST_SUITE("manifests.k8s_monitoring") {
  TEST_CASE("Service and ServiceMonitor as the page writes them") {
    auto o = default_options();
    auto svc = plain(k8s::gateway_service(o));
    CHECK(svc["metadata"]["name"] == "inference-gateway");
    CHECK(svc["metadata"]["labels"]["app"] == "inference-gateway");
    CHECK(svc["spec"]["ports"] == json::parse(R"([{"name":"http","port":8080,"targetPort":8080},
                                                   {"name":"metrics","port":9464,"targetPort":9464}])"));
    auto sm = plain(k8s::service_monitor(o));
    CHECK(sm["metadata"]["name"] == "inference-gateway");
    CHECK(sm["metadata"]["namespace"] == "monitoring");
    CHECK(sm["metadata"]["labels"]["release"] == "kube-prometheus-stack");
    CHECK(sm["spec"]["namespaceSelector"]["matchNames"] == json{"inference-gateway"});
    CHECK(sm["spec"]["endpoints"] == json::parse(R"([{"port":"metrics","path":"/metrics","interval":"15s",
                                                      "scrapeTimeout":"10s"}])"));
    auto cm = plain(k8s::dashboard_config_map(o));
    CHECK(cm["metadata"]["name"] == "inference-gateway-dashboard");
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
    auto sm = plain(k8s::service_monitor(o));
    CHECK(sm["metadata"]["name"] == "llm-gw");
    CHECK(sm["metadata"]["namespace"] == "mon");
    CHECK(sm["metadata"]["labels"]["release"] == "prom");
    CHECK(sm["spec"]["selector"]["matchLabels"]["app"] == "llm-gw");
    CHECK(sm["spec"]["namespaceSelector"]["matchNames"] == json{"llm"});
    CHECK(sm["spec"]["endpoints"][0]["interval"] == "30s");
    auto svc = plain(k8s::gateway_service(o));
    CHECK(svc["metadata"]["name"] == "llm-gw");
    CHECK(svc["metadata"]["namespace"] == "llm");
    auto rule = plain(k8s::prometheus_rule(o));
    CHECK(rule["metadata"]["namespace"] == "mon");
    CHECK(rule["metadata"]["labels"]["release"] == "prom");
    auto cm = plain(k8s::dashboard_config_map(o));
    CHECK(cm["metadata"]["name"] == "llm-gw-dashboard");
    CHECK(cm["metadata"]["namespace"] == "mon");
  }

  // The operator finds the Service by the ServiceMonitor's selector and namespaceSelector, then scrapes the
  // port it names: all three must agree with the Service, or nothing is scraped.
  TEST_CASE("the ServiceMonitor selects the gateway Service and scrapes a port it has") {
    auto o = default_options();
    o.name = "llm-gw";
    o.ns = "llm";
    auto svc = plain(k8s::gateway_service(o));
    auto sm = plain(k8s::service_monitor(o));
    for (const auto& [key, value] : sm["spec"]["selector"]["matchLabels"].items())
      CHECK(svc["metadata"]["labels"][key] == value);
    CHECK(sm["spec"]["namespaceSelector"]["matchNames"][0] == svc["metadata"]["namespace"]);
    bool found = false;
    for (const auto& p : svc["spec"]["ports"])
      if (p["name"] == sm["spec"]["endpoints"][0]["port"]) {
        found = true;
        CHECK(p["port"] == metrics_port());
      }
    CHECK(found);
    CHECK(sm["spec"]["endpoints"][0]["path"] == std::string{kMetricsPath});
    CHECK(svc["spec"]["selector"] == json{{"app", "llm-gw"}});  // the gateway Deployment's pod labels
  }

  TEST_CASE("the PrometheusRule's spec is the rule groups; the dashboard ConfigMap holds the dashboard") {
    auto o = default_options();
    auto rule = k8s::prometheus_rule(o);
    CHECK(rule["apiVersion"] == "monitoring.coreos.com/v1");
    CHECK(rule["spec"] == rule_groups(o));
    auto cm = k8s::dashboard_config_map(o);
    REQUIRE(cm["data"].size() == 1);
    CHECK(cm["data"][std::string{kDashboardFile}] == dashboard_json(o));
  }

  TEST_CASE("shared security settings: non-root, no escalation, read-only root, no capabilities") {
    auto pod = plain(k8s::pod_security_context());
    CHECK(pod["runAsNonRoot"] == true);
    CHECK(pod["runAsUser"].get<int>() > 0);  // runAsNonRoot refuses a pod whose user is 0
    CHECK(pod["runAsGroup"].get<int>() > 0);
    CHECK(pod["seccompProfile"]["type"] == "RuntimeDefault");
    auto container = plain(k8s::container_security_context());
    CHECK(container["allowPrivilegeEscalation"] == false);
    CHECK(container["readOnlyRootFilesystem"] == true);
    CHECK(container["capabilities"]["drop"] == json{"ALL"});
    CHECK_FALSE(container["capabilities"].contains("add"));
  }
}
