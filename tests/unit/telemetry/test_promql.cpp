#include <doctest/doctest.h>

#include <cctype>
#include <cstdlib>
#include <limits>
#include <string>

#include "telemetry/catalog.hpp"
#include "telemetry/promql.hpp"

using namespace igw::telemetry;
using namespace igw::telemetry::promql;

namespace {

std::string name_of(Metric m) {
  return std::string{metric(m).name};
}

}  // namespace

TEST_SUITE("telemetry/promql") {
  TEST_CASE("selector: the catalog's name, a series suffix, matchers in the order given") {
    CHECK(selector(Metric::requests_total) == name_of(Metric::requests_total));
    CHECK(selector(Metric::request_duration, "_bucket") == name_of(Metric::request_duration) + "_bucket");
    CHECK(selector(Metric::responses_total, {}, {{label::status_code, "=~", "5.."}}) ==
          name_of(Metric::responses_total) + "{status_code=~\"5..\"}");
    CHECK(selector(Metric::request_duration, "_count",
                   {{label::provider, "=", "openai"},
                    {label::model, "!=", ""},
                    {label::status_code, "!~", "2.."}}) ==
          name_of(Metric::request_duration) + "_count{provider=\"openai\",model!=\"\",status_code!~\"2..\"}");
  }

  TEST_CASE("rate, sum by and ratio compose as written on the page") {
    CHECK(rate("x", "5m") == "rate(x[5m])");
    CHECK(sum_by({label::provider}, "rate(x[5m])") == "sum by (provider) (rate(x[5m]))");
    CHECK(sum_by({label::le, label::provider}, "y") == "sum by (le, provider) (y)");
    CHECK(ratio("a", "b") == "a\n/ b");
    CHECK(sum_by({label::model}, rate(selector(Metric::usage_total_tokens), "1m")) ==
          "sum by (model) (rate(" + name_of(Metric::usage_total_tokens) + "[1m]))");
  }

  TEST_CASE("histogram_quantile: one line, or the inner expression on its own indented line") {
    CHECK(histogram_quantile(0.95, "b") == "histogram_quantile(0.95, b)");
    CHECK(histogram_quantile(0.5, "b", true) == "histogram_quantile(0.5,\n  b\n)");
    CHECK(histogram_quantile(1, "b") == "histogram_quantile(1, b)");
  }

  TEST_CASE("number: the shortest text, no trailing .0, no exponent for everyday values") {
    CHECK(number(0.05) == "0.05");
    CHECK(number(5000) == "5000");
    CHECK(number(0.95) == "0.95");
    CHECK(number(0) == "0");
    CHECK(number(-2.5) == "-2.5");
    CHECK(number(0.005) == "0.005");
    CHECK(number(0.1 + 0.2) == "0.30000000000000004");  // shortest that reads back, not a rounded guess
  }

  TEST_CASE("number reads back to the same double, down to the extremes") {
    for (double v : {0.1, 1.0 / 3, 2.5e-7, 6.02214076e23, 1e300, 5e-324, 123456789.125,
                     std::numeric_limits<double>::max(), std::numeric_limits<double>::min()}) {
      CAPTURE(v);
      CHECK(std::strtod(number(v).c_str(), nullptr) == v);  // strtod: stod refuses subnormals
    }
  }

  TEST_CASE("number: infinities are spelled so PromQL reads them (it accepts Inf in any case)") {
    auto inf = number(std::numeric_limits<double>::infinity());
    auto lower = inf;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CHECK((lower == "inf" || lower == "+inf"));
    CHECK(number(-std::numeric_limits<double>::infinity()).front() == '-');
  }

  // A label value is a PromQL string literal: a quote or backslash inside it must be escaped, or the
  // query does not parse (`{x="a"b"}`) or means something else (`"\d"` is an invalid escape).
  TEST_CASE("selector escapes quotes and backslashes in label values") {
    CHECK(selector(Metric::requests_total, {}, {{label::model, "=", "a\"b"}}) ==
          name_of(Metric::requests_total) + "{model=\"a\\\"b\"}");
    CHECK(selector(Metric::requests_total, {}, {{label::model, "=~", "\\d+"}}) ==
          name_of(Metric::requests_total) + "{model=~\"\\\\d+\"}");
  }
}
