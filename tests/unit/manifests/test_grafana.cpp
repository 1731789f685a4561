#include <set>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "manifests/grafana.hpp"
#include "manifests/rules.hpp"
#include "telemetry/catalog.hpp"
#include "telemetry/queries.hpp"

using namespace igw::manifests;
namespace telemetry = igw::telemetry;

namespace {

// The catalog metric of a series name (histogram series carry _bucket/_sum/_count).
bool in_catalog(std::string name) {
  if (telemetry::find_metric(name)) return true;
  for (auto suffix : {telemetry::kBucketSuffix, telemetry::kSumSuffix, telemetry::kCountSuffix}) {
    if (!name.ends_with(suffix)) continue;
    auto m = telemetry::find_metric(name.substr(0, name.size() - suffix.size()));
    if (m && telemetry::metric(*m).type == telemetry::MetricType::histogram) return true;
  }
  return false;
}

std::vector<std::string> dashboard_exprs() {
  std::vector<std::string> out;
  const auto d = dashboard(default_options());
  for (const auto& panel : d["panels"])
    if (panel.contains("targets"))
      for (const auto& target : panel["targets"]) out.push_back(target["expr"]);
  return out;
}

}  // namespace

TEST_SUITE("manifests.grafana") {
  TEST_CASE("every metric a panel or alert expression references is in the catalog") {
    auto exprs = dashboard_exprs();
    const auto groups = rule_groups(default_options());
    for (const auto& rule : groups["groups"][0]["rules"]) exprs.push_back(rule["expr"]);
    REQUIRE(exprs.size() > 10);
    std::set<std::string> seen;
    for (const auto& expr : exprs) {
      auto names = telemetry::referenced_metric_names(expr);
      CAPTURE(expr);
      CHECK_FALSE(names.empty());
      for (const auto& name : names) {
        CAPTURE(name);
        CHECK(in_catalog(name));
        seen.insert(name);
      }
    }
    // The page's panels are all there.
    for (auto m : {telemetry::Metric::requests_total, telemetry::Metric::responses_total,
                   telemetry::Metric::usage_total_tokens, telemetry::Metric::tool_calls_success_total})
      CHECK(seen.contains(std::string{telemetry::metric(m).name}));
  }

  TEST_CASE("the page's panel table and igw extras, with $__rate_interval and the variables") {
    auto d = dashboard(default_options());
    CHECK(d["uid"] == "inference-gateway");
    std::vector<std::string> titles;
    for (const auto& panel : d["panels"]) titles.push_back(panel["title"]);
    for (auto title : {"Requests/sec by provider", "Error rate by provider", "p50 / p95 / p99 latency",
                       "Tokens/min by model", "Tool-call success rate", "In-flight requests by provider"})
      CHECK(std::find(titles.begin(), titles.end(), title) != titles.end());
    for (const auto& expr : dashboard_exprs()) {
      CAPTURE(expr);
      if (expr.find('[') != std::string::npos) CHECK(expr.find("[$__rate_interval]") != std::string::npos);
      CHECK(expr.find("provider=~\"$provider\"") != std::string::npos);
    }
    std::vector<std::string> variables;
    for (const auto& v : d["templating"]["list"]) variables.push_back(v["name"]);
    CHECK(variables == std::vector<std::string>{"datasource", "provider", "model"});
    CHECK(d["templating"]["list"][1]["definition"] == "label_values(llm_requests_total, provider)");
  }

  TEST_CASE("panels do not overlap") {
    std::set<std::pair<int, int>> cells;
    const auto d = dashboard(default_options());
    for (const auto& panel : d["panels"]) {
      const auto& g = panel["gridPos"];
      for (int x = g["x"]; x < g["x"].get<int>() + g["w"].get<int>(); ++x)
        for (int y = g["y"]; y < g["y"].get<int>() + g["h"].get<int>(); ++y)
          CHECK(cells.insert({x, y}).second);
    }
  }

  TEST_CASE("with_label_matcher adds the matcher to catalog series that have the label") {
    using telemetry::with_label_matcher;
    CHECK(with_label_matcher("sum by (provider) (rate(llm_requests_total[5m]))", "provider", "=~", "$p") ==
          "sum by (provider) (rate(llm_requests_total{provider=~\"$p\"}[5m]))");
    CHECK(with_label_matcher("rate(llm_responses_total{status_code=~\"5..\"}[1m])", "provider", "=", "x") ==
          "rate(llm_responses_total{provider=\"x\",status_code=~\"5..\"}[1m])");
    CHECK(with_label_matcher("rate(llm_request_duration_bucket{}[1m])", "provider", "=", "x") ==
          "rate(llm_request_duration_bucket{provider=\"x\"}[1m])");
    // llm_requests_total has no model label; unknown names and strings are left alone.
    CHECK(with_label_matcher("rate(llm_requests_total[1m]) + up + rate(x{a=\"llm_usage_total_tokens\"}[1m])",
                             "model", "=", "m") ==
          "rate(llm_requests_total[1m]) + up + rate(x{a=\"llm_usage_total_tokens\"}[1m])");
    CHECK(with_label_matcher("sum by (model) (llm_usage_total_tokens) * 60", "model", "=", "m") ==
          "sum by (model) (llm_usage_total_tokens{model=\"m\"}) * 60");
  }

  TEST_CASE("the JSON text is stable") {
    CHECK(dashboard_json(default_options()) == dashboard_json(default_options()));
    CHECK(dashboard_json(default_options()).ends_with("}\n"));
  }
}
