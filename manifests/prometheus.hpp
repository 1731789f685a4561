// Plain Prometheus (no operator): the page's scrape configuration and the alerting rule file it loads.
#pragma once

#include <string>
#include <vector>

#include "manifests/options.hpp"

namespace igw::manifests {

inline constexpr std::string_view kPrometheusConfigFile = "prometheus.yml";

// prometheus.yml scraping `<target_host>:<metrics port>` and loading the rule file beside it.
std::string prometheus_config(const Options& options, std::string_view target_host);

// prometheus.yml and the rule file, ready for one folder.
std::vector<File> prometheus_files(const Options& options);

}  // namespace igw::manifests
