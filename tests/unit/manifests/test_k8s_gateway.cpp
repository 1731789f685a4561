#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>

#include "config/parse.hpp"
#include "config/settings.hpp"
#include "manifests/k8s_objects.hpp"
#include "manifests/otel_collector.hpp"

using namespace igw::manifests;
using nlohmann::json;

namespace {

json plain(const nlohmann::ordered_json& j) {
  return json::parse(j.dump());
}

std::map<std::string, json> env_of(const json& container) {
  std::map<std::string, json> env;
  for (const auto& e : container["env"]) env[e["name"]] = e;
  return env;
}

}  // namespace

TEST_SUITE("manifests.k8s_gateway") {
  TEST_CASE("the gateway Deployment: env from the config catalog, secrets only by reference") {
    auto dep = plain(k8s::gateway_deployment(default_options()));
    CHECK(dep["metadata"]["name"] == "inference-gateway");
    const auto& c = dep["spec"]["template"]["spec"]["containers"][0];
    auto env = env_of(c);
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

  TEST_CASE("secrets come from an optional Secret named after the gateway") {
    auto o = default_options();
    o.name = "llm-gw";
    auto c = plain(k8s::gateway_deployment(o))["spec"]["template"]["spec"]["containers"][0];
    int secrets = 0;
    for (const auto& e : c["env"]) {
      if (!e.contains("valueFrom")) {
        CHECK(e["value"].is_string());
        continue;
      }
      ++secrets;
      auto ref = e["valueFrom"]["secretKeyRef"];
      CHECK(ref["name"] == "llm-gw");
      CHECK(ref["optional"] ==
            true);  // a missing key leaves that provider unconfigured, the pod still starts
    }
    CHECK(secrets > 0);
  }

  TEST_CASE("traces go to the collector Service in the monitoring namespace, when tracing is implemented") {
    namespace config = igw::config;
    auto o = default_options();
    o.monitoring_ns = "mon";
    auto env = env_of(plain(k8s::gateway_deployment(o))["spec"]["template"]["spec"]["containers"][0]);
    const auto& name = config::env_name(config::Key::otel_exporter_otlp_endpoint);
    if (config::setting(config::Key::otel_exporter_otlp_endpoint).status == config::Status::implemented)
      CHECK(env[name]["value"] ==
            "http://" + std::string{kCollectorName} + ".mon.svc:" + std::to_string(kOtlpGrpcPort));
    else
      CHECK_FALSE(env.contains(name));
  }

  TEST_CASE("name, namespace and image follow the options; the selector matches the pods") {
    auto o = default_options();
    o.name = "llm-gw";
    o.ns = "llm";
    o.image = "registry.example/igw:1.2.3";
    auto dep = plain(k8s::gateway_deployment(o));
    CHECK(dep["metadata"]["name"] == "llm-gw");
    CHECK(dep["metadata"]["namespace"] == "llm");
    CHECK(dep["spec"]["selector"]["matchLabels"] == json{{"app", "llm-gw"}});
    CHECK(dep["spec"]["template"]["metadata"]["labels"] == dep["spec"]["selector"]["matchLabels"]);
    auto c = dep["spec"]["template"]["spec"]["containers"][0];
    CHECK(c["name"] == "llm-gw");
    CHECK(c["image"] == "registry.example/igw:1.2.3");
  }

  TEST_CASE("ports: the API and metrics ports of the catalog; the probes use the named API port") {
    auto c = plain(k8s::gateway_deployment(default_options()))["spec"]["template"]["spec"]["containers"][0];
    CHECK(c["ports"] ==
          json::parse(R"([{"name":"http","containerPort":8080},{"name":"metrics","containerPort":9464}])"));
    CHECK(c["ports"][0]["containerPort"] == api_port());
    CHECK(c["ports"][1]["containerPort"] == metrics_port());
    for (auto probe : {"readinessProbe", "livenessProbe"}) {
      CAPTURE(probe);
      CHECK(c[probe]["httpGet"]["port"] == c["ports"][0]["name"]);
      CHECK(c[probe]["httpGet"]["path"] == std::string{kHealthPath});
    }
    // Liveness waits longer than readiness: a slow start is not a reason to restart.
    CHECK(c["livenessProbe"]["initialDelaySeconds"] > c["readinessProbe"]["initialDelaySeconds"]);
  }

  TEST_CASE("the pod and container use the shared security settings") {
    auto pod = plain(k8s::gateway_deployment(default_options()))["spec"]["template"]["spec"];
    CHECK(pod["securityContext"] == plain(k8s::pod_security_context()));
    CHECK(pod["containers"][0]["securityContext"] == plain(k8s::container_security_context()));
  }

  // Kubernetes kills the pod when the grace period ends: the gateway's drain must fit inside it.
  TEST_CASE("the termination grace period outlasts the gateway's drain timeout") {
    namespace config = igw::config;
    auto pod = plain(k8s::gateway_deployment(default_options()))["spec"]["template"]["spec"];
    auto env = env_of(pod["containers"][0]);
    const auto& name = config::env_name(config::Key::server_drain_timeout);
    std::string drain = env.contains(name) ? env[name]["value"].get<std::string>()
                                           : config::setting(config::Key::server_drain_timeout).default_value;
    auto parsed = config::parse_duration(drain);
    REQUIRE(parsed);
    auto drain_s = std::chrono::duration_cast<std::chrono::seconds>(*parsed).count();
    CHECK(pod["terminationGracePeriodSeconds"].get<long>() > drain_s);
  }
}
