// Rates and quantiles computed from scrapes the way Prometheus computes them, so `metrics top` and a
// Prometheus query over the same window agree: counter increases with reset handling like increase()/rate(),
// and histogram_quantile() over bucket increases with the same edge rules.
#pragma once

#include <utility>
#include <vector>

namespace igw::telemetry::prom_math {

// The increase of a counter from `before` to `after` between two scrapes: after - before, or `after` when the
// counter went down (it was reset, e.g. the process restarted, and counted `after` since).
double counter_increase(double before, double after);

// A histogram bucket: its upper bound (le, +Inf for the last) and its cumulative count.
struct Bucket {
  double le = 0;
  double count = 0;
};

// histogram_quantile(q, buckets) as Prometheus evaluates it: buckets sorted by le (any order accepted), the
// rank q * total (total = the +Inf bucket's count) found by linear interpolation inside its bucket, the
// first bucket's lower bound 0 when its upper bound is positive; NaN when there is no +Inf bucket or no
// observations; q < 0 -> -Inf, q > 1 -> +Inf; a rank in the +Inf bucket gives the largest finite bound.
// Counts that decrease from one bucket to the next (a scrape between the updates of two buckets) are made
// monotonic first, as Prometheus does.
double histogram_quantile(double q, std::vector<Bucket> buckets);

}  // namespace igw::telemetry::prom_math
