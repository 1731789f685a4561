// Prometheus's template functions, reproduced so the rules test can state the exact annotations it expects.
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "manifests/rules_test.hpp"

namespace igw::manifests {

std::string humanize(double v) {
  if (v == 0 || std::isnan(v) || std::isinf(v)) return fmt::format("{:.4g}", v);
  std::string_view prefix;
  if (std::abs(v) >= 1) {
    for (std::string_view p : {"k", "M", "G", "T", "P", "E", "Z", "Y"}) {
      if (std::abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (std::string_view p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
      if (std::abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return fmt::format("{:.4g}{}", v, prefix);
}

std::string humanize_percentage(double v) {
  return fmt::format("{:.4g}%", v * 100);
}

std::string render_annotation(std::string_view text,
                              const std::map<std::string, std::string, std::less<>>& labels, double value) {
  std::string out;
  while (true) {
    auto open = text.find("{{");
    auto close = text.find("}}", open);
    if (open == std::string_view::npos || close == std::string_view::npos) break;
    out.append(text.substr(0, open));
    std::string_view action = text.substr(open + 2, close - open - 2);
    while (action.starts_with(' ')) action.remove_prefix(1);
    while (action.ends_with(' ')) action.remove_suffix(1);
    if (action.starts_with("$labels.")) {
      auto it = labels.find(action.substr(8));
      if (it != labels.end()) out += it->second;
    } else if (action == "$value") {
      out += fmt::format("{}", value);
    } else if (action == "$value | humanize") {
      out += humanize(value);
    } else if (action == "$value | humanizePercentage") {
      out += humanize_percentage(value);
    } else {
      out.append(text.substr(open, close + 2 - open));  // not a form this renderer knows: kept verbatim
    }
    text.remove_prefix(close + 2);
  }
  out.append(text);
  return out;
}

}  // namespace igw::manifests
