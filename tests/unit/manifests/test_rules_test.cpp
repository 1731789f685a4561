#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include "manifests/rules_test.hpp"

using namespace igw::manifests;

TEST_SUITE("manifests.rules_test") {
  TEST_CASE("a firing and a quiet test per alert, loading the named rule file") {
    auto o = default_options();
    auto doc = YAML::Load(rules_test(o, "rules.yml"));
    CHECK(doc["rule_files"][0].as<std::string>() == "rules.yml");
    CHECK(doc["evaluation_interval"].as<std::string>() == "1m");
    REQUIRE(doc["tests"].size() == 2 * kAlertCount);
    for (std::size_t i = 0; i < doc["tests"].size(); ++i) {
      auto checks = doc["tests"][i]["alert_rule_test"];
      bool firing = i % 2 == 0;
      CHECK(checks[0]["exp_alerts"].size() == 0);  // before `for` elapses, or below the threshold
      CHECK(checks[1]["exp_alerts"].size() == (firing ? 1u : 0u));
    }
    // InferenceGatewayHighErrorRate: onset at 1m, for 10m -> quiet at 10m, firing at 11m.
    CHECK(doc["tests"][0]["alert_rule_test"][0]["eval_time"].as<std::string>() == "10m");
    CHECK(doc["tests"][0]["alert_rule_test"][1]["eval_time"].as<std::string>() == "11m");
  }

  TEST_CASE("a short --alert-for shortens the evaluation step") {
    auto o = default_options();
    o.alert_for = "45s";
    auto doc = YAML::Load(rules_test(o, "r.yml"));
    CHECK(doc["evaluation_interval"].as<std::string>() == "15s");
    CHECK(doc["tests"][0]["alert_rule_test"][0]["eval_time"].as<std::string>() == "1m30s");
    CHECK(doc["tests"][0]["alert_rule_test"][1]["eval_time"].as<std::string>() == "1m45s");
  }
}
