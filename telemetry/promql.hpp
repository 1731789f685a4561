// Small builders for PromQL text, so every query names its metrics and labels through the catalog.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "telemetry/catalog.hpp"

namespace igw::telemetry::promql {

struct Matcher {
  std::string_view label;
  std::string_view op;  // =, !=, =~, !~
  std::string_view value;
};

// `name{label op "value",...}`; suffix selects a histogram's _bucket/_sum/_count series.
std::string selector(Metric m, std::string_view suffix = {}, std::initializer_list<Matcher> matchers = {});
std::string rate(std::string_view selector, std::string_view window);
std::string sum_by(std::initializer_list<std::string_view> labels, std::string_view expr);
// `histogram_quantile(q, inner)`; multiline puts inner on its own indented line, as alert rules do.
std::string histogram_quantile(double q, std::string_view inner, bool multiline = false);
// `num\n/ den`, the page's way of writing ratios.
std::string ratio(std::string_view numerator, std::string_view denominator);
// Shortest text of a number that reads back to the same double: 0.05, 5000, 0.95.
std::string number(double value);

}  // namespace igw::telemetry::promql
