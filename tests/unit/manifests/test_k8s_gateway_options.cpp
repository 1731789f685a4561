#include <doctest/doctest.h>

#include "manifests/k8s_gateway_options.hpp"

using namespace igw::manifests;

namespace {

std::string error_of(const GatewayOptions& g) {
  auto ok = validate(g);
  return ok ? std::string{} : ok.error();
}

}  // namespace

TEST_SUITE("manifests.k8s_gateway_options") {
  TEST_CASE("the defaults: one replica, no autoscaler, no budget, 70% CPU target, valid") {
    GatewayOptions g;
    CHECK(g.replicas == 1);
    CHECK_FALSE(has_autoscaler(g));
    CHECK_FALSE(has_disruption_budget(g));
    CHECK(g.hpa_cpu == 70);
    CHECK(g.secret.empty());
    CHECK(g.cpu_request == "250m");
    CHECK(g.cpu_limit == "1");
    CHECK(g.memory_request == "128Mi");
    CHECK(g.memory_limit == "512Mi");
    CHECK(validate(g).has_value());
  }

  TEST_CASE("the fewest pods: --replicas, or the autoscaler's minimum (which defaults to --replicas)") {
    GatewayOptions g;
    g.replicas = 2;
    CHECK(min_pods(g) == 2);
    CHECK(has_disruption_budget(g));
    g.hpa_max = 5;
    CHECK(min_pods(g) == 2);
    g.hpa_min = 1;
    CHECK(min_pods(g) == 1);
    CHECK_FALSE(has_disruption_budget(g));
    g.hpa_min = 3;
    CHECK(min_pods(g) == 3);
    CHECK(has_disruption_budget(g));
  }

  TEST_CASE("counts: each error names the flag, the value and the range") {
    GatewayOptions g;
    g.replicas = 0;
    CHECK(error_of(g) == "--replicas 0: expected a whole number from 1 to 1000");
    g = {};
    g.hpa_min = 2;
    CHECK(error_of(g) == "--hpa-min 2: expected --hpa-max as well");
    g.hpa_max = 1;
    CHECK(error_of(g) == "--hpa-max 1: expected a whole number from 2 to 1000 (at least --hpa-min)");
    g = {};
    g.replicas = 3;
    g.hpa_max = 2;
    CHECK(error_of(g) == "--hpa-max 2: expected a whole number from 3 to 1000 (at least --replicas)");
    g = {};
    g.hpa_max = -1;
    CHECK(error_of(g).starts_with("--hpa-max -1: expected a whole number"));
    g = {};
    g.hpa_max = 3;
    g.hpa_min = -2;
    CHECK(error_of(g) == "--hpa-min -2: expected a whole number from 1 to 1000");
    g.hpa_min = 0;
    g.hpa_cpu = 0;
    CHECK(error_of(g) == "--hpa-cpu 0: expected a whole number from 1 to 100");
    g.hpa_cpu = 101;
    CHECK_FALSE(validate(g));
    g.hpa_cpu = 100;
    CHECK(validate(g));
  }

  TEST_CASE("--hpa-cpu is only checked when there is an autoscaler to use it") {
    GatewayOptions g;
    g.hpa_cpu = 0;
    CHECK(validate(g));
  }

  TEST_CASE("--secret must be a Secret name") {
    GatewayOptions g;
    for (auto good : {"llm-keys", "a", "keys.v2", "0keys"}) {
      g.secret = good;
      CHECK_MESSAGE(validate(g), good);
    }
    for (auto bad : {"Keys", "keys_v2", "-keys", "keys-", "keys.", "a b"}) {
      g.secret = bad;
      CAPTURE(bad);
      CHECK(error_of(g).starts_with("--secret \"" + std::string{bad} + "\": expected a Secret name"));
    }
    g.secret = std::string(254, 'a');
    CHECK_FALSE(validate(g));
  }

  TEST_CASE("resource quantities: Kubernetes syntax, requests required, limits optional and not below") {
    GatewayOptions g;
    g.cpu_request = "lots";
    CHECK(error_of(g) == "--cpu-request \"lots\": expected a Kubernetes quantity like 250m or 1");
    g = {};
    g.memory_limit = "512MB!";
    CHECK(error_of(g) == "--memory-limit \"512MB!\": expected a Kubernetes quantity like 128Mi or 1Gi");
    g = {};
    g.memory_request = "";
    CHECK(error_of(g).starts_with("--memory-request \"\": expected"));
    g = {};
    g.cpu_request = "2";
    CHECK(error_of(g) == "--cpu-limit \"1\": expected at least --cpu-request \"2\"");
    g.cpu_limit = "";
    CHECK(validate(g));
    g = {};
    g.memory_request = "1Gi";
    g.memory_limit = "1000Mi";  // 1000 MiB < 1 GiB
    CHECK(error_of(g) == "--memory-limit \"1000Mi\": expected at least --memory-request \"1Gi\"");
    g.memory_limit = "2G";
    CHECK(validate(g));
    g.cpu_request = "0";
    CHECK_FALSE(validate(g));
  }

  TEST_CASE("quantity_value reads Kubernetes quantities") {
    CHECK(quantity_value("250m") == doctest::Approx(0.25));
    CHECK(quantity_value("1") == 1);
    CHECK(quantity_value("0.5") == doctest::Approx(0.5));
    CHECK(quantity_value(".5") == doctest::Approx(0.5));
    CHECK(quantity_value("128Mi") == 128.0 * 1024 * 1024);
    CHECK(quantity_value("1Gi") == 1024.0 * 1024 * 1024);
    CHECK(quantity_value("1G") == 1e9);
    CHECK(quantity_value("2k") == 2000);
    CHECK(quantity_value("1e3") == doctest::Approx(1000));
    CHECK(quantity_value("5E-1") == doctest::Approx(0.5));
    for (auto bad : {"", "m", "1.2.3", "1mi", "1 Gi", "-1", "1Gb", "1e", "1e+", "Gi", ".", "1e999"}) {
      CAPTURE(bad);
      CHECK_FALSE(quantity_value(bad));
    }
  }
}
