#include <doctest/doctest.h>

#include <fmt/format.h>

#include "ops/check.hpp"
#include "telemetry/catalog.hpp"
#include "telemetry/promql.hpp"

using namespace igw::ops;
namespace ex = igw::telemetry::exposition;
namespace tel = igw::telemetry;

namespace {

// An exposition holding every implemented catalog metric with one series of its labels (what a gateway
// with some traffic writes), with `tweak` applied to the text first.
std::string full_exposition(const std::string& skip_label_of = {}, const std::string& drop_bucket_of = {}) {
  std::string t;
  for (const auto& m : tel::metrics()) {
    if (m.status != tel::Status::implemented) continue;
    std::string name{m.name};
    t += fmt::format("# TYPE {} {}\n", name, tel::to_string(m.type));
    std::string labels;
    for (auto l : m.labels) {
      if (name == skip_label_of && l == m.labels.front()) continue;
      labels += fmt::format("{}{}=\"v\"", labels.empty() ? "" : ",", l);
    }
    if (m.type == tel::MetricType::histogram) {
      for (std::size_t i = 0; i < m.buckets.size(); ++i) {
        if (name == drop_bucket_of && i == 0) continue;
        t += fmt::format("{}_bucket{{{}{}le=\"{}\"}} 0\n", name, labels, labels.empty() ? "" : ",",
                         tel::promql::number(m.buckets[i]));
      }
      t += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} 0\n", name, labels, labels.empty() ? "" : ",");
      t += fmt::format("{}_sum{{{}}} 0\n{}_count{{{}}} 0\n", name, labels, name, labels);
    } else {
      t += fmt::format("{}{{{}}} 1\n", name, labels);
    }
  }
  return t;
}

std::vector<Finding> check(const std::string& text) {
  auto e = ex::parse(text);
  REQUIRE_MESSAGE(e, (e ? std::string{} : e.error().message));
  return check_exposition(*e);
}

}  // namespace

TEST_SUITE("ops/check") {
  TEST_CASE("a full exposition holds") { CHECK(check(full_exposition()).empty()); }

  TEST_CASE("empty families (no traffic yet) hold: types are what counts") {
    std::string t;
    for (const auto& m : tel::metrics())
      if (m.status == tel::Status::implemented) t += fmt::format("# TYPE {} {}\n", m.name, tel::to_string(m.type));
    t += "target_info{deployment_environment=\"p\",service_name=\"s\",service_version=\"1\"} 1\n";
    CHECK(check(t).empty());
  }

  TEST_CASE("a missing page metric, a wrong type, a missing label, a missing bucket are each named") {
    auto missing = check("# TYPE llm_requests_total counter\n");
    bool named = false;
    for (const auto& f : missing) named = named || (f.metric == "llm_responses_total" && f.problem.starts_with("missing"));
    CHECK(named);

    std::string text = full_exposition();
    auto pos = text.find("# TYPE llm_requests_total counter");
    REQUIRE(pos != std::string::npos);
    text.replace(pos, std::string{"# TYPE llm_requests_total counter"}.size(), "# TYPE llm_requests_total gauge");
    auto typed = check(text);
    REQUIRE(typed.size() == 1);
    CHECK(typed[0].metric == "llm_requests_total");
    CHECK(typed[0].problem == "type gauge, expected counter");

    auto labels = check(full_exposition("llm_responses_total"));
    REQUIRE(labels.size() == 1);
    CHECK(labels[0].metric == "llm_responses_total");
    CHECK(labels[0].problem.find("expected {provider,request_method,request_path,status_code}") != std::string::npos);

    auto buckets = check(full_exposition({}, "llm_request_duration"));
    REQUIRE(buckets.size() == 1);
    CHECK(buckets[0].metric == "llm_request_duration");
    CHECK(buckets[0].problem.starts_with("buckets 5,10,"));
  }

  TEST_CASE("igw's own metrics may be absent (they depend on settings) but are checked when present") {
    std::string text = full_exposition();
    auto pos = text.find("# TYPE igw_auth_keys_loaded gauge\nigw_auth_keys_loaded{} 1\n");
    REQUIRE(pos != std::string::npos);
    text.erase(pos, std::string{"# TYPE igw_auth_keys_loaded gauge\nigw_auth_keys_loaded{} 1\n"}.size());
    CHECK(check(text).empty());
    auto at = text.find("# TYPE igw_tool_server_up gauge");
    REQUIRE(at != std::string::npos);
    text.replace(at, std::string{"# TYPE igw_tool_server_up gauge"}.size(), "# TYPE igw_tool_server_up counter");
    auto f = check(text);
    REQUIRE(f.size() == 1);
    CHECK(f[0].metric == "igw_tool_server_up");
  }
}
