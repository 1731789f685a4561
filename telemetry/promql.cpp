#include "telemetry/promql.hpp"

#include <fmt/format.h>

namespace igw::telemetry::promql {

std::string selector(Metric m, std::string_view suffix, std::initializer_list<Matcher> matchers) {
  std::string out{metric(m).name};
  out += suffix;
  if (matchers.size() == 0) return out;
  out += '{';
  bool first = true;
  for (const auto& matcher : matchers) {
    if (!first) out += ',';
    first = false;
    out += fmt::format("{}{}\"", matcher.label, matcher.op);
    for (char c : matcher.value) {  // a PromQL string literal
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string rate(std::string_view sel, std::string_view window) { return fmt::format("rate({}[{}])", sel, window); }

std::string sum_by(std::initializer_list<std::string_view> labels, std::string_view expr) {
  return fmt::format("sum by ({}) ({})", fmt::join(labels, ", "), expr);
}

std::string histogram_quantile(double q, std::string_view inner, bool multiline) {
  if (multiline) return fmt::format("histogram_quantile({},\n  {}\n)", number(q), inner);
  return fmt::format("histogram_quantile({}, {})", number(q), inner);
}

std::string ratio(std::string_view numerator, std::string_view denominator) {
  return fmt::format("{}\n/ {}", numerator, denominator);
}

std::string number(double value) { return fmt::format("{}", value); }

}  // namespace igw::telemetry::promql
