#include <doctest/doctest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <string>

#include "telemetry/catalog.hpp"
#include "tests/unit/source_scan.hpp"

using namespace igw::telemetry;

TEST_SUITE("telemetry/catalog") {
  TEST_CASE("names are unique, snake_case, and the table is indexed by its enum") {
    std::set<std::string_view> names;
    const std::regex snake{"^[a-z_][a-z0-9_]*$"};
    for (std::size_t i = 0; i < metrics().size(); ++i) {
      const auto& m = metrics()[i];
      CHECK(static_cast<std::size_t>(m.id) == i);
      CHECK_MESSAGE(names.insert(m.name).second, "duplicate metric name ", m.name);
      CHECK_MESSAGE(std::regex_match(std::string{m.name}, snake), m.name);
      CHECK(find_metric(m.name) == m.id);
    }
    CHECK(metrics().size() == kMetricCount);
    CHECK_FALSE(find_metric("llm_nope").has_value());
  }

  TEST_CASE("every metric has help, a unit, and non-empty distinct labels") {
    for (const auto& m : metrics()) {
      CHECK_MESSAGE(!m.help.empty(), m.name);
      CHECK_MESSAGE(!m.unit.empty(), m.name);
      std::set<std::string_view> labels;
      for (auto l : m.labels) {
        CHECK_MESSAGE(!l.empty(), m.name);
        CHECK_MESSAGE(l != label::le, m.name);  // reserved for histogram buckets
        CHECK_MESSAGE(labels.insert(l).second, "duplicate label ", l, " on ", m.name);
      }
    }
  }

  TEST_CASE("histograms have strictly ascending buckets; other types have none") {
    for (const auto& m : metrics()) {
      if (m.type == MetricType::histogram) {
        REQUIRE_MESSAGE(!m.buckets.empty(), m.name);
        CHECK_MESSAGE(std::adjacent_find(m.buckets.begin(), m.buckets.end(), std::greater_equal<>{}) == m.buckets.end(),
                      m.name);
      } else {
        CHECK_MESSAGE(m.buckets.empty(), m.name);
      }
    }
  }

  TEST_CASE("igw extras are prefixed so they never collide; process metrics keep their conventional names") {
    for (const auto& m : metrics()) {
      if (m.source != Source::igw) continue;
      std::string_view n = m.name;
      CHECK_MESSAGE((n.starts_with("igw_") || n.starts_with("process_")), n);
      if (m.type == MetricType::counter) CHECK_MESSAGE(n.ends_with("_total"), n);
    }
  }

  TEST_CASE("the page's metrics, exactly as the page writes them") {
    struct Expected {
      std::string_view name;
      MetricType type;
      std::vector<std::string_view> labels;
    };
    const std::vector<Expected> page{
        {"llm_usage_prompt_tokens", MetricType::counter, {"provider", "model"}},
        {"llm_usage_completion_tokens", MetricType::counter, {"provider", "model"}},
        {"llm_usage_total_tokens", MetricType::counter, {"provider", "model"}},
        {"llm_requests_total", MetricType::counter, {"provider", "request_type"}},
        {"llm_responses_total", MetricType::counter, {"provider", "request_method", "request_path", "status_code"}},
        {"llm_request_duration", MetricType::histogram, {"provider", "request_method", "request_path"}},
        {"llm_tool_calls_total", MetricType::counter, {"provider", "model", "tool_type", "tool_name"}},
        {"llm_tool_calls_success_total", MetricType::counter, {"provider", "model", "tool_type", "tool_name"}},
        {"llm_tool_calls_failure_total", MetricType::counter,
         {"provider", "model", "tool_type", "tool_name", "error_type"}},
        {"llm_tool_call_duration", MetricType::histogram, {"provider", "model", "tool_type", "tool_name"}},
    };
    const std::vector<double> page_buckets{1, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000};
    for (const auto& e : page) {
      auto id = find_metric(e.name);
      REQUIRE_MESSAGE(id.has_value(), e.name);
      const auto& m = metric(*id);
      CHECK(m.source == Source::page);
      CHECK(m.type == e.type);
      CHECK(std::vector<std::string_view>(m.labels.begin(), m.labels.end()) == e.labels);
      if (m.type == MetricType::histogram) {
        CHECK(m.unit == "ms");
        CHECK(std::vector<double>(m.buckets.begin(), m.buckets.end()) == page_buckets);
      }
    }
    const auto& info = metric(Metric::target_info);
    CHECK(info.name == "target_info");
    CHECK(std::vector<std::string_view>(info.labels.begin(), info.labels.end()) ==
          std::vector<std::string_view>{"service_name", "service_version", "deployment_environment"});
  }
}

TEST_SUITE("telemetry/catalog status") {
  TEST_CASE("every metric marked implemented has a recording call, every planned one none") {
    auto ids = igw::test::enumerators("telemetry/catalog.hpp", "Metric");
    REQUIRE(ids.size() == kMetricCount);
    // Recording calls name the metric's enumerator: counter(Metric::x, ...), gauge(...), histogram(...).
    auto files = igw::test::sources({"telemetry", "server", "mock"}, {"telemetry/catalog.hpp", "telemetry/catalog.cpp",
                                                                       "telemetry/queries.cpp"});
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const auto& m = metrics()[i];
      CAPTURE(m.name);
      const std::regex recorded{R"((counter|gauge|histogram)\(\s*Metric::)" + ids[i] + R"(\b)"};
      CHECK(igw::test::any_matches(files, recorded) == (m.status == Status::implemented));
    }
  }
}
