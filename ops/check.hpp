// `igw metrics check`: does a live exposition hold what the metric catalog promises? Every implemented
// metric of the page, and target_info, must be exposed as a family of its type; every sample of a catalog
// metric (the page's or igw's own) must carry exactly the catalog's labels; every histogram series must have
// exactly the catalog's bucket bounds plus +Inf, and its _sum and _count.
#pragma once

#include <string>
#include <vector>

#include "telemetry/exposition.hpp"

namespace igw::ops {

struct Finding {
  std::string metric;
  std::string problem;  // one line: what is missing or wrong, and what was expected
};

// Empty when everything holds.
std::vector<Finding> check_exposition(const telemetry::exposition::Exposition& exposition);

}  // namespace igw::ops
