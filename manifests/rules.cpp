#include "manifests/rules.hpp"

#include <nlohmann/json.hpp>

#include "manifests/yaml.hpp"

namespace igw::manifests {
namespace {

using nlohmann::ordered_json;

ordered_json alert_rule(const Options& o, const telemetry::AlertDef& def) {
  double limit = threshold(o, def.id);
  ordered_json annotations{{"summary", telemetry::alert_summary(def.id, limit)},
                           {"description", telemetry::alert_description(def.id)}};
  if (auto url = runbook_url(o, def); !url.empty()) annotations["runbook_url"] = url;
  return ordered_json{{"alert", def.name},
                      {"expr", telemetry::alert_expr(def.id, limit)},
                      {"for", prometheus_duration(alert_for_seconds(o, def.id))},
                      {"labels", {{"severity", def.severity}}},
                      {"annotations", annotations}};
}

}  // namespace

ordered_json rule_groups(const Options& o) {
  ordered_json rules = ordered_json::array();
  for (const auto& def : telemetry::alerts())
    if (def.status == telemetry::Status::implemented) rules.push_back(alert_rule(o, def));
  return ordered_json{{"groups", ordered_json::array({ordered_json{{"name", o.name}, {"rules", rules}}})}};
}

std::string runbook_url(const Options& o, const telemetry::AlertDef& def) {
  if (o.runbook_base_url.empty()) return {};
  std::string base = o.runbook_base_url;
  if (base.back() != '/') base += '/';
  return base + std::string{def.name};
}

std::string rules_file(const Options& o) {
  return to_yaml(rule_groups(o));
}

}  // namespace igw::manifests
