// Prometheus's template functions, reproduced so the rules test can state the exact annotations it expects.
#include <array>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "manifests/rules_test.hpp"

namespace igw::manifests {
namespace {

// Go's fmt spells the non-finite values NaN, +Inf and -Inf (fmt's are nan, inf, -inf).
std::string_view go_special(double v) {
  if (std::isnan(v)) return "NaN";
  return v > 0 ? "+Inf" : "-Inf";
}

// Go's %.4g.
std::string go_g4(double v) { return std::isfinite(v) ? fmt::format("{:.4g}", v) : std::string{go_special(v)}; }

// Go's %v of a float64: the shortest digits that read back, in exponent form when the exponent is below -4
// or at least 6 (1e+06, 1.234567e+06, 100000, 0.0001).
std::string go_v(double v) {
  if (!std::isfinite(v)) return std::string{go_special(v)};
  std::array<char, 64> buf;
  auto sci = std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::scientific);
  std::string_view text{buf.data(), static_cast<std::size_t>(sci.ptr - buf.data())};
  int exponent = std::stoi(std::string{text.substr(text.find('e') + 1)});
  if (exponent < -4 || exponent >= 6) return std::string{text};
  auto fixed = std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::fixed);
  return std::string{buf.data(), static_cast<std::size_t>(fixed.ptr - buf.data())};
}

}  // namespace

std::string humanize(double v) {
  if (v == 0 || std::isnan(v) || std::isinf(v)) return go_g4(v);
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

std::string humanize_percentage(double v) { return go_g4(v * 100) + "%"; }

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
      out += it != labels.end() ? std::string_view{it->second} : std::string_view{"<no value>"};  // as Go's templates
    } else if (action == "$value") {
      out += go_v(value);
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
