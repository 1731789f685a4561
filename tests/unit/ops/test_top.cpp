#include <doctest/doctest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "ops/top.hpp"

using namespace igw::ops::top;
using namespace std::chrono_literals;
namespace ex = igw::telemetry::exposition;
using Json = nlohmann::json;

namespace {

ex::Exposition parsed(const std::string& text) {
  auto e = ex::parse(text);
  REQUIRE_MESSAGE(e, (e ? std::string{} : e.error().message));
  return std::move(*e);
}

Scrape scrape_at(std::chrono::steady_clock::time_point t, const std::string& text) {
  return Scrape{t, parsed(text)};
}

// An exposition as a gateway writes it, with its counters scaled by `k` (k requests of 100 ms... per provider).
std::string gateway_text(double openai_requests, double openai_5xx, double groq_requests, double in_flight,
                         double fast, double slow) {
  std::string t;
  t += "# TYPE llm_requests_total counter\n";
  t += "llm_requests_total{provider=\"openai\",request_type=\"chat_completions\"} " + std::to_string(openai_requests) + "\n";
  t += "llm_requests_total{provider=\"groq\",request_type=\"chat_completions\"} " + std::to_string(groq_requests) + "\n";
  t += "# TYPE llm_responses_total counter\n";
  t += "llm_responses_total{provider=\"openai\",request_method=\"POST\",request_path=\"/v1/chat/completions\",status_code=\"200\"} " +
       std::to_string(openai_requests - openai_5xx) + "\n";
  t += "llm_responses_total{provider=\"openai\",request_method=\"POST\",request_path=\"/v1/chat/completions\",status_code=\"503\"} " +
       std::to_string(openai_5xx) + "\n";
  t += "llm_responses_total{provider=\"groq\",request_method=\"POST\",request_path=\"/v1/chat/completions\",status_code=\"200\"} " +
       std::to_string(groq_requests) + "\n";
  t += "# TYPE llm_request_duration histogram\n";
  // openai: `fast` observations in (50,75], `slow` in (5000,7500].
  const char* labels = "provider=\"openai\",request_method=\"POST\",request_path=\"/v1/chat/completions\"";
  for (auto [le, count] : std::vector<std::pair<std::string, double>>{
           {"50", 0}, {"75", fast}, {"5000", fast}, {"7500", fast + slow}, {"10000", fast + slow}, {"+Inf", fast + slow}})
    t += std::string{"llm_request_duration_bucket{"} + labels + ",le=\"" + le + "\"} " + std::to_string(count) + "\n";
  t += std::string{"llm_request_duration_sum{"} + labels + "} 1\n";
  t += std::string{"llm_request_duration_count{"} + labels + "} " + std::to_string(fast + slow) + "\n";
  t += "# TYPE igw_requests_in_flight gauge\n";
  t += "igw_requests_in_flight{provider=\"openai\"} " + std::to_string(in_flight) + "\n";
  t += "# TYPE llm_usage_total_tokens counter\n";
  t += "llm_usage_total_tokens{provider=\"openai\",model=\"gpt-4o\"} " + std::to_string(openai_requests * 30) + "\n";
  return t;
}

const Row& row(const View& v, std::string_view key) {
  for (const auto& r : v.rows)
    if (r.key == key) return r;
  FAIL("no row " << key);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_SUITE("ops/top") {
  TEST_CASE("rates, 5xx share, quantiles, tokens and in flight from two scrapes 10 s apart") {
    auto t0 = std::chrono::steady_clock::now();
    auto a = scrape_at(t0, gateway_text(100, 0, 50, 0, 0, 0));
    auto b = scrape_at(t0 + 10s, gateway_text(200, 10, 70, 3, 90, 10));
    auto v = compute({a}, {b}, By::provider);
    CHECK(v.window_s == doctest::Approx(10));
    REQUIRE(v.rows.size() == 2);
    const auto& openai = row(v, "openai");
    CHECK(*openai.rps == doctest::Approx(10));
    CHECK(*openai.error_pct == doctest::Approx(10));
    // 90 in (50,75], 10 in (5000,7500]: the median at rank 50 -> 50 + 25*50/90; p95 at rank 95 -> 5000+2500*5/10.
    CHECK(*openai.p50_ms == doctest::Approx(50 + 25.0 * 50 / 90));
    CHECK(*openai.p95_ms == doctest::Approx(6250));
    CHECK(*openai.tokens_per_min == doctest::Approx(100 * 30 / 10.0 * 60));
    CHECK(*openai.in_flight == 3);
    CHECK_FALSE(openai.tool_success_pct.has_value());  // no tool calls: null, not 0
    // Over the alert thresholds: 10% 5xx > 5%, p95 6250 ms > 5000 ms.
    CHECK(openai.alerts == std::vector<std::string>{"InferenceGatewayHighErrorRate", "InferenceGatewayP95LatencyHigh"});
    const auto& groq = row(v, "groq");
    CHECK(*groq.rps == doctest::Approx(2));
    CHECK(*groq.error_pct == doctest::Approx(0));
    CHECK_FALSE(groq.p95_ms.has_value());
    CHECK_FALSE(groq.in_flight.has_value());
    CHECK(groq.alerts.empty());
    CHECK(*v.totals.rps == doctest::Approx(12));
    CHECK(*v.totals.error_pct == doctest::Approx(100.0 * 10 / 120));
  }

  TEST_CASE("a counter reset (restart) counts from zero, like rate()") {
    auto t0 = std::chrono::steady_clock::now();
    auto a = scrape_at(t0, gateway_text(1000, 0, 0, 0, 0, 0));
    auto b = scrape_at(t0 + 5s, gateway_text(20, 0, 0, 0, 0, 0));
    auto v = compute({a}, {b}, By::provider);
    CHECK(*row(v, "openai").rps == doctest::Approx(4));
  }

  TEST_CASE("replicas are summed") {
    auto t0 = std::chrono::steady_clock::now();
    auto v = compute({scrape_at(t0, gateway_text(0, 0, 0, 1, 0, 0)), scrape_at(t0, gateway_text(0, 0, 0, 2, 0, 0))},
                     {scrape_at(t0 + 2s, gateway_text(10, 0, 0, 1, 0, 0)), scrape_at(t0 + 2s, gateway_text(30, 0, 0, 2, 0, 0))},
                     By::provider);
    CHECK(*row(v, "openai").rps == doctest::Approx(20));
    CHECK(*row(v, "openai").in_flight == 3);
  }

  TEST_CASE("the tool view: calls/s, success %, duration quantiles, the tool alert") {
    auto text = [](double calls, double ok) {
      std::string l = "provider=\"openai\",model=\"m\",tool_type=\"mcp\",tool_name=\"mcp_search\"";
      return "# TYPE llm_tool_calls_total counter\nllm_tool_calls_total{" + l + "} " + std::to_string(calls) +
             "\n# TYPE llm_tool_calls_success_total counter\nllm_tool_calls_success_total{" + l + "} " + std::to_string(ok) +
             "\n# TYPE llm_tool_call_duration histogram\nllm_tool_call_duration_bucket{" + l + ",le=\"10\"} " +
             std::to_string(calls) + "\nllm_tool_call_duration_bucket{" + l + ",le=\"+Inf\"} " + std::to_string(calls) +
             "\nllm_tool_call_duration_sum{" + l + "} 1\nllm_tool_call_duration_count{" + l + "} " + std::to_string(calls) + "\n";
    };
    auto t0 = std::chrono::steady_clock::now();
    auto v = compute({scrape_at(t0, text(0, 0))}, {scrape_at(t0 + 4s, text(8, 6))}, By::tool);
    REQUIRE(v.rows.size() == 1);
    const auto& r = v.rows[0];
    CHECK(r.key == "mcp_search");
    CHECK(*r.rps == doctest::Approx(2));
    CHECK(*r.tool_success_pct == doctest::Approx(75));
    CHECK(*r.p50_ms == doctest::Approx(5));
    CHECK(r.alerts == std::vector<std::string>{"InferenceGatewayToolCallFailures"});  // 25% failures > 10%
    auto by_model = compute({scrape_at(t0, text(0, 0))}, {scrape_at(t0 + 4s, text(8, 6))}, By::model);
    REQUIRE(by_model.rows.size() == 1);
    CHECK(by_model.rows[0].key == "m");
    CHECK(*by_model.rows[0].tool_success_pct == doctest::Approx(75));
    CHECK_FALSE(by_model.rows[0].rps.has_value());  // the request metrics carry no model label
  }

  TEST_CASE("sorting and filtering") {
    std::vector<Row> rows(3);
    rows[0].key = "b", rows[0].rps = 1;
    rows[1].key = "a";
    rows[2].key = "c", rows[2].rps = 5;
    sort_rows(rows, "rps", false);
    CHECK(rows[0].key == "c");
    CHECK(rows[1].key == "b");
    CHECK(rows[2].key == "a");  // no value: last
    sort_rows(rows, "rps", true);
    CHECK(rows[0].key == "b");
    sort_rows(rows, "key", false);
    CHECK(rows[0].key == "a");
    sort_rows(rows, "key", true);
    CHECK(rows[0].key == "c");
    CHECK(filter_rows(rows, "B").size() == 1);
    CHECK(filter_rows(rows, "").size() == 3);
  }

  TEST_CASE("JSON: the documented shape, null where there were no samples") {
    auto t0 = std::chrono::steady_clock::now();
    auto v = compute({scrape_at(t0, gateway_text(0, 0, 0, 0, 0, 0))}, {scrape_at(t0 + 1s, gateway_text(5, 0, 1, 0, 5, 0))},
                     By::provider);
    v.source = "http://x/metrics";
    auto j = Json::parse(to_json(v));
    CHECK(j["source"] == "http://x/metrics");
    CHECK(j["by"] == "provider");
    CHECK(j["window_s"].get<double>() == doctest::Approx(1));
    REQUIRE(j["rows"].size() == 2);
    auto groq = j["rows"][0];
    CHECK(groq["key"] == "groq");
    for (auto k : {"rps", "error_pct", "p50_ms", "p95_ms", "p99_ms", "tokens_per_min", "tool_success_pct", "in_flight",
                   "ttft_p95_ms", "alerts"})
      CHECK_MESSAGE(groq.contains(k), k);
    CHECK(groq["p95_ms"].is_null());
    CHECK(groq["tool_success_pct"].is_null());
    CHECK(groq["rps"].get<double>() == doctest::Approx(1));
    CHECK(j["totals"]["key"] == "total");
  }

  TEST_CASE("the table marks alert rows and the sorted column") {
    auto t0 = std::chrono::steady_clock::now();
    auto v = compute({scrape_at(t0, gateway_text(100, 0, 50, 0, 0, 0))},
                     {scrape_at(t0 + 10s, gateway_text(200, 10, 70, 3, 90, 10))}, By::provider);
    v.source = "src";
    auto t = to_table(v, false, "rps");
    CHECK(t.find("REQ/S*") != std::string::npos);
    CHECK(t.find("! openai") != std::string::npos);
    CHECK(t.find("  groq") != std::string::npos);
    CHECK(t.find("InferenceGatewayHighErrorRate") != std::string::npos);
    CHECK(t.find("\x1b[31m") == std::string::npos);
    CHECK(to_table(v, true, "rps").find("\x1b[31m") != std::string::npos);
  }
}
