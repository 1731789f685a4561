#include "telemetry/prom_math.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace igw::telemetry::prom_math {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
// Relative differences between neighbouring bucket counts below this are floating-point noise (Prometheus'
// smallDeltaTolerance).
constexpr double kSmallDelta = 1e-12;

// a and b equal within a relative tolerance; near zero, within tolerance times the smallest normal double.
bool almost_equal(double a, double b, double tolerance) {
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  constexpr double kMinNormal = std::numeric_limits<double>::min();
  const double abs_sum = std::abs(a) + std::abs(b);
  const double diff = std::abs(a - b);
  if (a == 0 || b == 0 || abs_sum < kMinNormal) return diff < tolerance * kMinNormal;
  return diff / std::min(abs_sum, std::numeric_limits<double>::max()) < tolerance;
}

// Sorted by le, NaN bounds last (so a NaN bound leaves no +Inf bucket at the end: the result is NaN).
void sort_by_le(std::vector<Bucket>& buckets) {
  std::sort(buckets.begin(), buckets.end(), [](const Bucket& a, const Bucket& b) {
    if (std::isnan(a.le) || std::isnan(b.le)) return !std::isnan(a.le) && std::isnan(b.le);
    return a.le < b.le;
  });
}

// Buckets of the same bound (one le written two ways, "1" and "1.0") count as one: their counts add up.
void merge_equal_bounds(std::vector<Bucket>& buckets) {
  std::size_t out = 0;
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    if (buckets[i].le == buckets[out].le)
      buckets[out].count += buckets[i].count;
    else
      buckets[++out] = buckets[i];
  }
  buckets.resize(out + 1);
}

// Counts must not decrease with le. Differences that are floating-point noise are ignored in either
// direction, and a real decrease is raised to the last accepted count (the envelope).
void make_monotonic(std::vector<Bucket>& buckets) {
  double prev = buckets[0].count;
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    const double curr = buckets[i].count;
    if (curr == prev) continue;
    if (almost_equal(prev, curr, kSmallDelta) || curr < prev) {
      buckets[i].count = prev;
      continue;
    }
    prev = curr;
  }
}

}  // namespace

double counter_increase(double before, double after) {
  return after < before ? after : after - before;
}

double histogram_quantile(double q, std::vector<Bucket> buckets) {
  if (std::isnan(q)) return kNaN;
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  if (buckets.empty()) return kNaN;
  sort_by_le(buckets);
  if (buckets.back().le != kInf) return kNaN;
  merge_equal_bounds(buckets);
  make_monotonic(buckets);
  if (buckets.size() < 2) return kNaN;

  const double observations = buckets.back().count;
  if (observations == 0) return kNaN;
  double rank = q * observations;
  // The first bucket whose count reaches the rank, by binary search over the finite buckets (written out:
  // NaN counts can leave them unpartitioned, which std::partition_point does not allow); the +Inf bucket
  // when none does.
  const std::size_t last = buckets.size() - 1;
  std::size_t lo = 0, hi = last;
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (buckets[mid].count >= rank)
      hi = mid;
    else
      lo = mid + 1;
  }
  const std::size_t b = lo;
  if (b == last) return buckets[last - 1].le;  // the largest finite bound
  if (b == 0 && buckets[0].le <= 0) return buckets[0].le;

  double start = 0;
  double count = buckets[b].count;
  if (b > 0) {
    start = buckets[b - 1].le;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return start + (buckets[b].le - start) * (rank / count);
}

}  // namespace igw::telemetry::prom_math
