#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "manifests/rules.hpp"

using namespace igw::manifests;
using igw::telemetry::Alert;

TEST_SUITE("manifests.rules") {
  TEST_CASE("the page's three alerts with their expressions, for, severity and summary") {
    auto groups = rule_groups(default_options());
    REQUIRE(groups["groups"].size() == 1);
    const auto& rules = groups["groups"][0]["rules"];
    REQUIRE(rules.size() == 3);
    CHECK(rules[0]["alert"] == "InferenceGatewayHighErrorRate");
    CHECK(rules[0]["expr"] ==
          "sum by (provider) (rate(llm_responses_total{status_code=~\"5..\"}[5m]))\n"
          "/ sum by (provider) (rate(llm_responses_total[5m])) > 0.05");
    CHECK(rules[0]["for"] == "10m");
    CHECK(rules[0]["labels"]["severity"] == "warning");
    CHECK(rules[0]["annotations"]["summary"] ==
          "Inference Gateway 5xx rate above 5% for {{ $labels.provider }}");
    CHECK(rules[1]["alert"] == "InferenceGatewayP95LatencyHigh");
    CHECK(rules[1]["expr"] ==
          "histogram_quantile(0.95,\n  sum by (le, provider) (rate(llm_request_duration_bucket[5m]))\n) > "
          "5000");
    CHECK(rules[1]["annotations"]["summary"] == "p95 request duration > 5s for {{ $labels.provider }}");
    CHECK(rules[2]["alert"] == "InferenceGatewayToolCallFailures");
    CHECK(rules[2]["for"] == "15m");
    CHECK(rules[2]["annotations"]["summary"] == "Tool {{ $labels.tool_name }} failing > 10% of calls");
    for (const auto& rule : rules) {
      CHECK(rule["annotations"]["description"].get<std::string>().find("{{ $value") != std::string::npos);
      CHECK_FALSE(rule["annotations"].contains("runbook_url"));
    }
  }

  TEST_CASE("flags change thresholds, summaries, for and add runbook URLs") {
    auto o = default_options();
    o.thresholds[static_cast<std::size_t>(Alert::high_error_rate)] = 0.02;
    o.thresholds[static_cast<std::size_t>(Alert::p95_latency_high)] = 2500;
    o.thresholds[static_cast<std::size_t>(Alert::tool_call_failures)] = 0.25;
    o.alert_for = "90s";
    o.runbook_base_url = "https://runbooks.example.com/igw";
    const auto rules = rule_groups(o)["groups"][0]["rules"];
    CHECK(rules[0]["expr"].get<std::string>().ends_with(" > 0.02"));
    CHECK(rules[0]["annotations"]["summary"] ==
          "Inference Gateway 5xx rate above 2% for {{ $labels.provider }}");
    CHECK(rules[1]["expr"].get<std::string>().ends_with(") > 2500"));
    CHECK(rules[1]["annotations"]["summary"] == "p95 request duration > 2.5s for {{ $labels.provider }}");
    CHECK(rules[2]["annotations"]["summary"] == "Tool {{ $labels.tool_name }} failing > 25% of calls");
    for (const auto& rule : rules) {
      CHECK(rule["for"] == "1m30s");
      CHECK(rule["annotations"]["runbook_url"] ==
            "https://runbooks.example.com/igw/" + rule["alert"].get<std::string>());
    }
  }

  TEST_CASE("the rule file reads back as the same rules") {
    auto o = default_options();
    auto file = YAML::Load(rules_file(o));
    auto rules = rule_groups(o)["groups"][0]["rules"];
    REQUIRE(file["groups"][0]["rules"].size() == rules.size());
    for (std::size_t i = 0; i < rules.size(); ++i) {
      auto node = file["groups"][0]["rules"][i];
      CHECK(node["expr"].as<std::string>() == rules[i]["expr"].get<std::string>() + "\n");
      CHECK(node["annotations"]["summary"].as<std::string>() == rules[i]["annotations"]["summary"]);
      CHECK(node["for"].as<std::string>() == rules[i]["for"]);
    }
  }

  TEST_CASE("one group named after the gateway, one rule per implemented alert") {
    auto o = default_options();
    o.name = "llm-gw";
    auto groups = rule_groups(o);
    REQUIRE(groups["groups"].size() == 1);
    CHECK(groups["groups"][0]["name"] == "llm-gw");
    std::size_t implemented = 0;
    for (const auto& def : igw::telemetry::alerts())
      if (def.status == igw::telemetry::Status::implemented) ++implemented;
    CHECK(groups["groups"][0]["rules"].size() == implemented);
  }

  TEST_CASE("runbook URLs: none without a base, one slash between base and alert name") {
    const auto& def = igw::telemetry::alert(Alert::high_error_rate);
    auto o = default_options();
    CHECK(runbook_url(o, def).empty());
    o.runbook_base_url = "https://runbooks.example.com/igw/";
    CHECK(runbook_url(o, def) == "https://runbooks.example.com/igw/InferenceGatewayHighErrorRate");
    o.runbook_base_url = "https://runbooks.example.com";
    CHECK(runbook_url(o, def) == "https://runbooks.example.com/InferenceGatewayHighErrorRate");
  }
}
