#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>

#include "config/parse.hpp"
#include "config/settings.hpp"
#include "manifests/gateway_env.hpp"
#include "manifests/k8s_objects.hpp"
#include "manifests/otel_collector.hpp"
#include "telemetry/build_info.hpp"

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

TEST_SUITE("manifests.k8s_gateway scale") {
  using igw::manifests::GatewayOptions;

  json pod_spec(const Options& o, const GatewayOptions& g) {
    return plain(k8s::gateway_deployment(o, g))["spec"]["template"]["spec"];
  }

  TEST_CASE("--replicas sets the Deployment's replicas; one replica by default, as before") {
    GatewayOptions g;
    CHECK(plain(k8s::gateway_deployment(default_options(), g))["spec"]["replicas"] == 1);
    CHECK_FALSE(pod_spec(default_options(), g).contains("topologySpreadConstraints"));
    g.replicas = 4;
    auto dep = plain(k8s::gateway_deployment(default_options(), g));
    CHECK(dep["spec"]["replicas"] == 4);
    // Several pods prefer different nodes, softly: scheduling never waits for a free node.
    auto spread = dep["spec"]["template"]["spec"]["topologySpreadConstraints"];
    REQUIRE(spread.size() == 1);
    CHECK(spread[0]["topologyKey"] == "kubernetes.io/hostname");
    CHECK(spread[0]["whenUnsatisfiable"] == "ScheduleAnyway");
    CHECK(spread[0]["labelSelector"] == dep["spec"]["selector"]);
  }

  TEST_CASE("under an autoscaler the Deployment leaves replicas to it") {
    GatewayOptions g;
    g.replicas = 3;
    g.hpa_max = 9;
    auto dep = plain(k8s::gateway_deployment(default_options(), g));
    CHECK_FALSE(dep["spec"].contains("replicas"));
    CHECK(dep["spec"]["template"]["spec"].contains("topologySpreadConstraints"));
  }

  TEST_CASE("the HorizontalPodAutoscaler: autoscaling/v2 on the gateway Deployment, CPU utilization") {
    auto o = default_options();
    o.name = "llm-gw";
    o.ns = "llm";
    GatewayOptions g;
    g.hpa_max = 8;
    auto hpa = plain(k8s::gateway_autoscaler(o, g));
    CHECK(hpa["apiVersion"] == "autoscaling/v2");
    CHECK(hpa["kind"] == "HorizontalPodAutoscaler");
    CHECK(hpa["metadata"]["name"] == "llm-gw");
    CHECK(hpa["metadata"]["namespace"] == "llm");
    auto dep = plain(k8s::gateway_deployment(o, g));
    CHECK(hpa["spec"]["scaleTargetRef"] ==
          json{{"apiVersion", dep["apiVersion"]}, {"kind", "Deployment"}, {"name", dep["metadata"]["name"]}});
    CHECK(hpa["spec"]["minReplicas"] == 1);  // --hpa-min defaults to --replicas
    CHECK(hpa["spec"]["maxReplicas"] == 8);
    auto metric = hpa["spec"]["metrics"][0];
    CHECK(metric["type"] == "Resource");
    CHECK(metric["resource"]["name"] == "cpu");
    CHECK(metric["resource"]["target"] == json{{"type", "Utilization"}, {"averageUtilization", 70}});
    // Utilization is relative to the CPU request, which the container always has.
    CHECK(dep["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"].contains("cpu"));
    g.hpa_min = 3;
    g.hpa_cpu = 55;
    hpa = plain(k8s::gateway_autoscaler(o, g));
    CHECK(hpa["spec"]["minReplicas"] == 3);
    CHECK(hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 55);
  }

  TEST_CASE("the PodDisruptionBudget: policy/v1, one pod always available, the Deployment's pods") {
    auto o = default_options();
    o.ns = "llm";
    auto pdb = plain(k8s::gateway_disruption_budget(o));
    CHECK(pdb["apiVersion"] == "policy/v1");
    CHECK(pdb["kind"] == "PodDisruptionBudget");
    CHECK(pdb["metadata"]["namespace"] == "llm");
    CHECK(pdb["spec"]["minAvailable"] == 1);
    CHECK_FALSE(pdb["spec"].contains("maxUnavailable"));
    CHECK(pdb["spec"]["selector"] == plain(k8s::gateway_deployment(o))["spec"]["selector"]);
  }

  TEST_CASE("--secret: the whole Secret through envFrom, required, and no per-key references") {
    GatewayOptions g;
    g.secret = "llm-keys";
    auto c = pod_spec(default_options(), g)["containers"][0];
    CHECK(c["envFrom"] == json::parse(R"([{"secretRef":{"name":"llm-keys"}}])"));
    for (const auto& e : c["env"]) {
      CAPTURE(e["name"]);
      CHECK_FALSE(e.contains("valueFrom"));
    }
    CHECK(env_of(c)["TELEMETRY_ENABLE"]["value"] == "true");  // the plain settings stay
    CHECK_FALSE(pod_spec(default_options(), {})["containers"][0].contains("envFrom"));
  }

  TEST_CASE("no secret setting ever has a value in the Deployment, whatever the options") {
    GatewayOptions with_secret;
    with_secret.secret = "keys";
    for (const auto& g : {GatewayOptions{}, with_secret}) {
      auto env = env_of(pod_spec(default_options(), g)["containers"][0]);
      for (const auto& s : igw::config::settings())
        if (s.secret && env.contains(s.env)) CHECK_MESSAGE(!env[s.env].contains("value"), s.env);
    }
  }

  TEST_CASE("resources: requests and limits from the options; an empty limit is left out") {
    GatewayOptions g;
    auto r = pod_spec(default_options(), g)["containers"][0]["resources"];
    CHECK(r == json::parse(
                   R"({"requests":{"cpu":"250m","memory":"128Mi"},"limits":{"cpu":"1","memory":"512Mi"}})"));
    g.cpu_request = "500m";
    g.cpu_limit = "";
    g.memory_request = "256Mi";
    g.memory_limit = "1Gi";
    r = pod_spec(default_options(), g)["containers"][0]["resources"];
    CHECK(r == json::parse(R"({"requests":{"cpu":"500m","memory":"256Mi"},"limits":{"memory":"1Gi"}})"));
    g.memory_limit = "";
    CHECK_FALSE(pod_spec(default_options(), g)["containers"][0]["resources"].contains("limits"));
  }

  TEST_CASE("the grace period is the drain timeout plus a margin; --drain-timeout also sets the env") {
    namespace config = igw::config;
    const auto& name = config::env_name(config::Key::server_drain_timeout);
    auto o = default_options();
    auto pod = pod_spec(o, {});
    CHECK(pod["terminationGracePeriodSeconds"] == 30 + kShutdownMarginSeconds);  // the catalog's 30s
    CHECK_FALSE(env_of(pod["containers"][0]).contains(name));
    o.drain_timeout = "1m";
    pod = pod_spec(o, {});
    CHECK(pod["terminationGracePeriodSeconds"] == 60 + kShutdownMarginSeconds);
    CHECK(env_of(pod["containers"][0])[name]["value"] == "1m");
    o.drain_timeout = "1500ms";  // rounded up
    CHECK(pod_spec(o, {})["terminationGracePeriodSeconds"] == 2 + kShutdownMarginSeconds);
  }

  TEST_CASE("the default image is the repository's, tagged with igw's own version") {
    auto c = pod_spec(default_options(), {})["containers"][0];
    CHECK(c["image"] ==
          std::string{kImageRepository} + ":" + std::string{igw::telemetry::build_info().version});
    CHECK(c["image"] == "ghcr.io/inference-gateway/igw:" + std::string{igw::telemetry::build_info().version});
  }
}
