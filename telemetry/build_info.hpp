// What was built: reported by `igw version`, the igw_build_info gauge and the service.version attribute.
#pragma once

#include <string_view>

namespace igw::telemetry {

struct BuildInfo {
  std::string_view version;
  std::string_view revision;
  std::string_view build_date;
  std::string_view compiler;
};

const BuildInfo& build_info();

}  // namespace igw::telemetry
