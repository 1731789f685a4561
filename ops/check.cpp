#include "ops/check.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "telemetry/catalog.hpp"

namespace igw::ops {
namespace {

namespace ex = telemetry::exposition;
using telemetry::MetricDef;
using telemetry::MetricType;

ex::Type expected_type(MetricType t) {
  switch (t) {
    case MetricType::counter: return ex::Type::counter;
    case MetricType::gauge: return ex::Type::gauge;
    case MetricType::histogram: return ex::Type::histogram;
  }
  return ex::Type::untyped;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

double parse_le(std::string_view text) {
  if (text == "+Inf" || text == "Inf" || text == "inf") return INFINITY;
  double v = NAN;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

bool same_bound(double a, double b) {
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b));
}

// The sample's labels (le aside) as one key, and their names.
std::string series_key(const ex::Sample& s) {
  std::string key;
  for (const auto& l : s.labels)
    if (l.name != "le") key += l.name + "=" + l.value + "\x1f";
  return key;
}

void check_labels(const MetricDef& def, const ex::Family& family, std::vector<Finding>& out) {
  std::set<std::string> expected{def.labels.begin(), def.labels.end()};
  for (const auto& s : family.samples) {
    std::set<std::string> got;
    for (const auto& l : s.labels)
      if (!(def.type == MetricType::histogram && l.name == "le")) got.insert(l.name);
    if (got == expected) continue;
    out.push_back({std::string{def.name},
                   fmt::format("sample {} has labels {{{}}}, expected {{{}}}", s.name,
                               join({got.begin(), got.end()}), join({expected.begin(), expected.end()}))});
    return;  // one finding per metric is enough to act on
  }
}

void check_histogram(const MetricDef& def, const ex::Family& family, std::vector<Finding>& out) {
  const std::string name{def.name};
  std::map<std::string, std::vector<double>> bounds;  // per series
  std::set<std::string> sums, counts;
  for (const auto& s : family.samples) {
    if (s.name == name + "_bucket") {
      auto le = s.label("le");
      if (le.empty()) {
        out.push_back({name, "a _bucket sample has no le label"});
        return;
      }
      bounds[series_key(s)].push_back(parse_le(le));
    } else if (s.name == name + "_sum") {
      sums.insert(series_key(s));
    } else if (s.name == name + "_count") {
      counts.insert(series_key(s));
    }
  }
  std::vector<double> expected{def.buckets.begin(), def.buckets.end()};
  expected.push_back(INFINITY);
  for (auto& [key, got] : bounds) {
    std::sort(got.begin(), got.end());
    bool same = got.size() == expected.size() &&
                std::equal(got.begin(), got.end(), expected.begin(), [](double a, double b) { return same_bound(a, b); });
    if (!same) {
      std::vector<std::string> g, e;
      for (double v : got) g.push_back(fmt::format("{}", v));
      for (double v : expected) e.push_back(fmt::format("{}", v));
      out.push_back({name, fmt::format("buckets {}, expected {}", join(g), join(e))});
      return;
    }
    if (!sums.contains(key) || !counts.contains(key)) {
      out.push_back({name, "a series has buckets but no _sum or _count"});
      return;
    }
  }
}

}  // namespace

std::vector<Finding> check_exposition(const ex::Exposition& exposition) {
  std::vector<Finding> out;
  for (const auto& def : telemetry::metrics()) {
    if (def.status != telemetry::Status::implemented) continue;
    const std::string name{def.name};
    const ex::Family* family = exposition.find(name);
    if (!family) {
      // The page's metrics are always registered; igw's own may depend on settings (auth, tools).
      if (def.source == telemetry::Source::page)
        out.push_back({name, fmt::format("missing: expected a {} family", telemetry::to_string(def.type))});
      continue;
    }
    if (family->type != expected_type(def.type)) {
      out.push_back({name, fmt::format("type {}, expected {}", ex::to_string(family->type), telemetry::to_string(def.type))});
      continue;
    }
    check_labels(def, *family, out);
    if (def.type == MetricType::histogram) check_histogram(def, *family, out);
  }
  const std::string target_info{telemetry::metric(telemetry::Metric::target_info).name};
  if (const auto* info = exposition.find(target_info); info && info->samples.empty())
    out.push_back({target_info, "no sample: expected one with the service attributes"});
  return out;
}

}  // namespace igw::ops
