#include "manifests/prometheus.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "manifests/rules.hpp"
#include "manifests/yaml.hpp"

namespace igw::manifests {

std::string prometheus_config(const Options& o, std::string_view target_host) {
  using nlohmann::ordered_json;
  ordered_json job{{"job_name", o.name},
                   {"metrics_path", kMetricsPath},
                   {"static_configs",
                    {{{"targets", {fmt::format("{}:{}", target_host, metrics_port())}},
                      {"labels", {{"service", o.name}}}}}}};
  ordered_json config{{"global",
                       {{"scrape_interval", o.interval},
                        {"scrape_timeout", o.scrape_timeout},
                        {"evaluation_interval", o.interval}}},
                      {"rule_files", {kRulesFile}},
                      {"scrape_configs", {job}}};
  return to_yaml(config);
}

std::vector<File> prometheus_files(const Options& o) {
  return {{std::string{kPrometheusConfigFile}, prometheus_config(o, o.name)},
          {std::string{kRulesFile}, rules_file(o)}};
}

}  // namespace igw::manifests
