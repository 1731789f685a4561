// The alerting rule group built from telemetry's alert definitions: shared by the plain rule file
// (`gen prometheus`), the PrometheusRule (`gen k8s`) and the compose stack.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "manifests/options.hpp"

namespace igw::manifests {

// `{"groups": [{"name": ..., "rules": [...]}]}`: the body of a rule file and the PrometheusRule's spec.
nlohmann::ordered_json rule_groups(const Options& options);

// The rule file's name in generated folders and its text.
inline constexpr std::string_view kRulesFile = "inference-gateway-rules.yml";
std::string rules_file(const Options& options);

// `<--runbook-base-url>/<alert name>`, or empty when no base URL is given.
std::string runbook_url(const Options& options, const telemetry::AlertDef& alert);

}  // namespace igw::manifests
