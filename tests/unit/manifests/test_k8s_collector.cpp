#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "manifests/k8s_objects.hpp"
#include "manifests/otel_collector.hpp"

using namespace igw::manifests;
using nlohmann::json;

namespace {

json plain(const nlohmann::ordered_json& j) {
  return json::parse(j.dump());
}

// "640Mi" -> 640.
long mebibytes(const json& quantity) {
  auto text = quantity.get<std::string>();
  REQUIRE(text.ends_with("Mi"));
  return std::stol(text.substr(0, text.size() - 2));
}

}  // namespace

TEST_SUITE("manifests.k8s_collector") {
  TEST_CASE("all three objects live in the monitoring namespace under the collector's name") {
    auto o = default_options();
    o.monitoring_ns = "mon";
    for (const auto& object : {plain(k8s::collector_config_map(o)), plain(k8s::collector_deployment(o)),
                               plain(k8s::collector_service(o))}) {
      CAPTURE(object["kind"]);
      CHECK(object["metadata"]["name"] == std::string{kCollectorName});
      CHECK(object["metadata"]["namespace"] == "mon");
      CHECK(object["metadata"]["labels"]["app"] == std::string{kCollectorName});
    }
  }

  TEST_CASE("the ConfigMap holds the collector configuration the options describe") {
    auto o = default_options();
    o.jaeger_endpoint = "tempo:4317";
    auto cm = k8s::collector_config_map(o);
    CHECK(cm["kind"] == "ConfigMap");
    REQUIRE(cm["data"].size() == 1);
    CHECK(cm["data"][std::string{kCollectorConfigFile}] == collector_config_yaml(o));
  }

  TEST_CASE("the Deployment reads its config from the ConfigMap, mounted where --config points") {
    auto o = default_options();
    auto dep = plain(k8s::collector_deployment(o));
    CHECK(dep["apiVersion"] == "apps/v1");
    auto pod = dep["spec"]["template"]["spec"];
    REQUIRE(pod["containers"].size() == 1);
    auto c = pod["containers"][0];
    CHECK(c["image"] == std::string{kCollectorImage});
    REQUIRE(c["volumeMounts"].size() == 1);
    auto mount = c["volumeMounts"][0];
    CHECK(mount["readOnly"] == true);
    CHECK(c["args"] == json{"--config=" + mount["mountPath"].get<std::string>() + "/" +
                            std::string{kCollectorConfigFile}});
    REQUIRE(pod["volumes"].size() == 1);
    CHECK(pod["volumes"][0]["name"] == mount["name"]);
    CHECK(pod["volumes"][0]["configMap"]["name"] == k8s::collector_config_map(o)["metadata"]["name"]);
  }

  TEST_CASE("the Deployment's selector matches its pods; the Service selects the same pods") {
    auto o = default_options();
    auto dep = plain(k8s::collector_deployment(o));
    auto svc = plain(k8s::collector_service(o));
    auto pod_labels = dep["spec"]["template"]["metadata"]["labels"];
    for (const auto& [key, value] : dep["spec"]["selector"]["matchLabels"].items())
      CHECK(pod_labels[key] == value);
    for (const auto& [key, value] : svc["spec"]["selector"].items()) CHECK(pod_labels[key] == value);
    CHECK(dep["spec"]["replicas"] == 1);
  }

  TEST_CASE("OTLP gRPC and HTTP: the Service forwards to the ports the container opens") {
    auto o = default_options();
    auto container = plain(k8s::collector_deployment(o))["spec"]["template"]["spec"]["containers"][0];
    auto svc = plain(k8s::collector_service(o));
    CHECK(container["ports"] == json::parse(R"([{"name":"otlp-grpc","containerPort":4317},
                                                 {"name":"otlp-http","containerPort":4318}])"));
    REQUIRE(svc["spec"]["ports"].size() == container["ports"].size());
    for (std::size_t i = 0; i < container["ports"].size(); ++i) {
      CHECK(svc["spec"]["ports"][i]["name"] == container["ports"][i]["name"]);
      CHECK(svc["spec"]["ports"][i]["port"] == container["ports"][i]["containerPort"]);
      CHECK(svc["spec"]["ports"][i]["targetPort"] == container["ports"][i]["containerPort"]);
    }
  }

  // memory_limiter must act before the kernel does: its limit below the container's.
  TEST_CASE("the memory_limiter's limit is below the container's memory limit") {
    auto o = default_options();
    auto container = plain(k8s::collector_deployment(o))["spec"]["template"]["spec"]["containers"][0];
    auto limit = mebibytes(container["resources"]["limits"]["memory"]);
    auto request = mebibytes(container["resources"]["requests"]["memory"]);
    long limiter = collector_config(o)["processors"]["memory_limiter"]["limit_mib"];
    CHECK(limiter < limit);
    CHECK(request <= limit);
  }

  TEST_CASE("the collector runs with the shared security settings") {
    auto o = default_options();
    auto pod = plain(k8s::collector_deployment(o))["spec"]["template"]["spec"];
    CHECK(pod["securityContext"] == plain(k8s::pod_security_context()));
    CHECK(pod["containers"][0]["securityContext"] == plain(k8s::container_security_context()));
  }
}
