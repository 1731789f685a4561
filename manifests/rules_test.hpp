// `promtool test rules` input proving each alert of the rule file: it fires once its condition has held
// for its `for` duration, not one evaluation earlier, and stays quiet just below its threshold.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "manifests/options.hpp"

namespace igw::manifests {

inline constexpr std::string_view kRulesTestFile = "inference-gateway-rules.test.yml";

// The test file; it loads `rules_file` (relative to itself), which must be generated with the same options.
std::string rules_test(const Options& options, std::string_view rules_file);

// What Prometheus prints for `{{ $value | humanize }}` and `{{ $value | humanizePercentage }}`.
std::string humanize(double value);
std::string humanize_percentage(double value);
// An annotation template rendered the way Prometheus would for the given labels and value
// (`{{ $labels.x }}`, `{{ $value }}`, `{{ $value | humanize }}`, `{{ $value | humanizePercentage }}`).
std::string render_annotation(std::string_view text,
                              const std::map<std::string, std::string, std::less<>>& labels, double value);

}  // namespace igw::manifests
