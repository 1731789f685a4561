#include <doctest/doctest.h>

#include <string>

#include "telemetry/catalog.hpp"
#include "telemetry/queries.hpp"

using namespace igw::telemetry;

namespace {
// The observability page's text, verbatim: the catalog must build exactly these.
const std::string kPageRps = "sum by (provider) (rate(llm_requests_total[5m]))";
const std::string kPageP95 = "histogram_quantile(0.95, sum by (le, provider) (rate(llm_request_duration_bucket[5m])))";
const std::string kPageErrors =
    "sum by (provider) (rate(llm_responses_total{status_code=~\"5..\"}[5m]))\n"
    "/ sum by (provider) (rate(llm_responses_total[5m]))";
const std::string kPageToolFailures =
    "sum by (tool_name) (rate(llm_tool_calls_failure_total[5m]))\n"
    "/ sum by (tool_name) (rate(llm_tool_calls_total[5m]))";
const std::string kPageTokens = "sum by (model) (rate(llm_usage_total_tokens[1m])) * 60";
}  // namespace

TEST_SUITE("telemetry/queries") {
  TEST_CASE("the page's example queries") {
    auto q = page_example_queries();
    REQUIRE(q.size() == 5);
    CHECK(q[0].expr == kPageRps);
    CHECK(q[1].expr == kPageP95);
    CHECK(q[2].expr == kPageErrors);
    CHECK(q[3].expr == kPageToolFailures);
    CHECK(q[4].expr == kPageTokens);
  }

  TEST_CASE("the page's alert rules") {
    REQUIRE(alerts().size() == 3);
    const auto& errors = alert(Alert::high_error_rate);
    CHECK(errors.name == "InferenceGatewayHighErrorRate");
    CHECK(errors.for_duration == "10m");
    CHECK(errors.severity == "warning");
    CHECK(alert_expr(Alert::high_error_rate, errors.threshold) == kPageErrors + " > 0.05");
    CHECK(alert_summary(Alert::high_error_rate, errors.threshold) ==
          "Inference Gateway 5xx rate above 5% for {{ $labels.provider }}");

    const auto& latency = alert(Alert::p95_latency_high);
    CHECK(latency.name == "InferenceGatewayP95LatencyHigh");
    CHECK(latency.for_duration == "10m");
    CHECK(alert_expr(Alert::p95_latency_high, latency.threshold) ==
          "histogram_quantile(0.95,\n  sum by (le, provider) (rate(llm_request_duration_bucket[5m]))\n) > 5000");
    CHECK(alert_summary(Alert::p95_latency_high, latency.threshold) ==
          "p95 request duration > 5s for {{ $labels.provider }}");

    const auto& tools = alert(Alert::tool_call_failures);
    CHECK(tools.name == "InferenceGatewayToolCallFailures");
    CHECK(tools.for_duration == "15m");
    CHECK(alert_expr(Alert::tool_call_failures, tools.threshold) ==
          "sum by (tool_name) (rate(llm_tool_calls_failure_total[10m]))\n"
          "/ sum by (tool_name) (rate(llm_tool_calls_total[10m])) > 0.1");
    CHECK(alert_summary(Alert::tool_call_failures, tools.threshold) == "Tool {{ $labels.tool_name }} failing > 10% of calls");
  }

  TEST_CASE("thresholds follow the flag into the expression and the summary") {
    CHECK(alert_expr(Alert::high_error_rate, 0.125).ends_with(" > 0.125"));
    CHECK(alert_summary(Alert::high_error_rate, 0.125).find("12.5%") != std::string::npos);
    CHECK(alert_summary(Alert::p95_latency_high, 250).find("> 250ms") != std::string::npos);
    CHECK(alert_summary(Alert::p95_latency_high, 1500).find("> 1.5s") != std::string::npos);
  }

  TEST_CASE("the page's panel table comes first, with its queries") {
    auto p = panels();
    REQUIRE(p.size() >= 5);
    CHECK(p[0].title == "Requests/sec by provider");
    CHECK(p[0].targets.at(0).expr == "sum by (provider) (rate(llm_requests_total[1m]))");
    CHECK(p[1].targets.at(0).expr == kPageErrors);
    CHECK(p[2].targets.at(1).expr == kPageP95);
    CHECK(p[3].targets.at(0).expr == kPageTokens);
    CHECK(p[4].targets.at(0).expr ==
          "sum by (tool_name) (rate(llm_tool_calls_success_total[5m]))\n/ sum by (tool_name) (rate(llm_tool_calls_total[5m]))");
    for (std::size_t i = 0; i < p.size(); ++i) CHECK((p[i].source == Source::page) == (i < 5));
  }

  TEST_CASE("a dashboard window replaces every range") {
    for (const auto& p : panels({"$__rate_interval", "$__rate_interval"}))
      for (const auto& t : p.targets) {
        CHECK_MESSAGE(t.expr.find("[1m]") == std::string::npos, t.expr);
        CHECK_MESSAGE(t.expr.find("[5m]") == std::string::npos, t.expr);
      }
  }

  TEST_CASE("every metric an expression references is in the catalog") {
    std::vector<std::string> exprs;
    for (const auto& q : page_example_queries()) exprs.push_back(q.expr);
    for (const auto& a : alerts()) exprs.push_back(alert_expr(a.id, a.threshold));
    for (const auto& p : panels())
      for (const auto& t : p.targets) exprs.push_back(t.expr);
    for (const auto& e : exprs) {
      auto names = referenced_metric_names(e);
      CHECK_MESSAGE(!names.empty(), e);
      for (const auto& n : names) {
        std::string base = n;
        for (std::string_view suffix : {kBucketSuffix, kSumSuffix, kCountSuffix})
          if (base.ends_with(suffix) && !find_metric(base)) base.resize(base.size() - suffix.size());
        CHECK_MESSAGE(find_metric(base).has_value(), n, " in ", e);
      }
    }
  }

  TEST_CASE("referenced_metric_names skips functions, label lists, matchers and variables") {
    auto names = referenced_metric_names(
        "histogram_quantile(0.9, sum by (le, provider) (rate(a_bucket{x=\"y z\"}[$__rate_interval]))) / on (p) b * 60");
    CHECK(names == std::vector<std::string>{"a_bucket", "b"});
  }
}

TEST_SUITE("telemetry/queries status") {
  TEST_CASE("an implemented alert refers only to implemented metrics") {
    for (const auto& a : alerts()) {
      CAPTURE(a.name);
      if (a.status == Status::implemented) CHECK(refers_to_implemented_metrics(alert_expr(a.id, a.threshold)));
    }
  }

  TEST_CASE("panels on planned metrics are left out; expressions on them are recognised") {
    for (const auto& p : panels())
      for (const auto& t : p.targets) CHECK_MESSAGE(refers_to_implemented_metrics(t.expr), p.title);
    CHECK(refers_to_implemented_metrics("sum(rate(llm_requests_total[5m]))"));
    CHECK(refers_to_implemented_metrics(
        "histogram_quantile(0.95, sum by (le) (rate(llm_tool_call_duration_bucket[5m])))"));
    // Every metric is implemented today; an expression on one declared planned would be refused.
    for (const auto& m : metrics())
      if (m.status == Status::planned) CHECK_FALSE(refers_to_implemented_metrics("rate(" + std::string{m.name} + "[5m])"));
    CHECK(refers_to_implemented_metrics("rate(igw_spans_dropped_total[5m]) > 0"));
  }
}
