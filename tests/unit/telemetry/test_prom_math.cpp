#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "telemetry/prom_math.hpp"

using namespace igw::telemetry::prom_math;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The worked example: 1 observation <= 0.5, 2 more <= 1, 1 more <= 2, none above.
const std::vector<Bucket> kExample{{0.5, 1}, {1, 3}, {2, 4}, {kInf, 4}};

}  // namespace

TEST_SUITE("telemetry/prom_math") {
  TEST_CASE("counter_increase: the difference, or the new value after a reset") {
    CHECK(counter_increase(10, 15) == 5);
    CHECK(counter_increase(5, 5) == 0);
    CHECK(counter_increase(0, 7.5) == 7.5);
    CHECK(counter_increase(15, 3) == 3);  // restarted, then counted 3
    CHECK(counter_increase(15, 0) == 0);
    CHECK(counter_increase(0.1, 0.30000000000000004) == doctest::Approx(0.2));
    CHECK(std::isnan(counter_increase(kNaN, 5)));
    CHECK(std::isnan(counter_increase(5, kNaN)));
  }

  TEST_CASE("histogram_quantile: the worked example, by linear interpolation inside the rank's bucket") {
    // q=0.5: rank 2 falls in (0.5, 1] holding 2 (counts 1..3): 0.5 + 0.5 * (2-1)/2.
    CHECK(histogram_quantile(0.5, kExample) == 0.75);
    // q=0.9: rank 3.6 in (1, 2] holding 1 (counts 3..4): 1 + 1 * 0.6/1.
    CHECK(histogram_quantile(0.9, kExample) == doctest::Approx(1.6));
    // q=0.75: rank 3 is exactly the count at le=1.
    CHECK(histogram_quantile(0.75, kExample) == 1);
    // q=1: rank 4, the top of (1, 2].
    CHECK(histogram_quantile(1, kExample) == 2);
    // The first bucket's lower bound is 0: q=0.1 is rank 0.4 of 1 in (0, 0.5].
    CHECK(histogram_quantile(0.1, kExample) == doctest::Approx(0.2));
    CHECK(histogram_quantile(0.25, kExample) == 0.5);
    CHECK(histogram_quantile(0, kExample) == 0);
  }

  TEST_CASE("histogram_quantile: buckets in any order") {
    const std::vector<Bucket> shuffled{{kInf, 4}, {1, 3}, {2, 4}, {0.5, 1}};
    CHECK(histogram_quantile(0.5, shuffled) == 0.75);
    CHECK(histogram_quantile(0.9, shuffled) == doctest::Approx(1.6));
    CHECK(histogram_quantile(0.1, shuffled) == doctest::Approx(0.2));
  }

  TEST_CASE("histogram_quantile: a rank in the +Inf bucket gives the largest finite bound") {
    const std::vector<Bucket> b{{1, 1}, {2, 2}, {kInf, 10}};
    CHECK(histogram_quantile(0.5, b) == 2);  // rank 5 is beyond le=2's count 2
    CHECK(histogram_quantile(0.99, b) == 2);
    CHECK(histogram_quantile(0.15, b) == doctest::Approx(1.5));  // rank 1.5 in (1, 2]
    CHECK(histogram_quantile(0.1, b) == doctest::Approx(1));     // rank 1 at the top of (0, 1]
  }

  TEST_CASE("histogram_quantile: a first bucket with le <= 0 gives its le; later buckets interpolate") {
    const std::vector<Bucket> negative{{-1, 2}, {0, 3}, {kInf, 4}};
    CHECK(histogram_quantile(0.25, negative) == -1);                    // rank 1 in the first bucket
    CHECK(histogram_quantile(0.6, negative) == doctest::Approx(-0.6));  // rank 2.4 in (-1, 0]: -1 + 0.4
    const std::vector<Bucket> zero{{0, 2}, {1, 4}, {kInf, 4}};
    CHECK(histogram_quantile(0.25, zero) == 0);
    CHECK(histogram_quantile(0.75, zero) == 0.5);  // rank 3 in (0, 1] holding 2: 0 + 1 * 1/2
    const std::vector<Bucket> below_zero{{-10, 1}, {-5, 3}, {kInf, 4}};
    CHECK(histogram_quantile(0.5, below_zero) == -7.5);  // rank 2 in (-10, -5] holding 2: -10 + 5 * 1/2
  }

  TEST_CASE(
      "histogram_quantile: NaN without a +Inf bucket, without observations, or with fewer than 2 buckets") {
    CHECK(std::isnan(histogram_quantile(0.5, {{1, 1}, {2, 2}})));
    CHECK(std::isnan(histogram_quantile(0.5, {{1, 0}, {2, 0}, {kInf, 0}})));
    CHECK(std::isnan(histogram_quantile(0.5, {{kInf, 5}})));
    CHECK(std::isnan(histogram_quantile(0.5, {})));
    // Two +Inf buckets are one: still fewer than 2.
    CHECK(std::isnan(histogram_quantile(0.5, {{kInf, 1}, {kInf, 1}})));
    // q=0 is rank 0, found in the first bucket even when it is empty: 0/0 inside it, NaN as in Prometheus.
    CHECK(std::isnan(histogram_quantile(0, {{1, 0}, {2, 2}, {kInf, 2}})));
    CHECK(histogram_quantile(0, {{1, 1}, {2, 2}, {kInf, 2}}) == 0);
    // A NaN bound sorts last, so the last bucket is not +Inf.
    CHECK(std::isnan(histogram_quantile(0.5, {{kNaN, 1}, {1, 1}, {kInf, 2}})));
  }

  TEST_CASE("histogram_quantile: q out of range or NaN, checked before the buckets") {
    CHECK(histogram_quantile(-0.1, kExample) == -kInf);
    CHECK(histogram_quantile(1.1, kExample) == kInf);
    CHECK(histogram_quantile(-kInf, kExample) == -kInf);
    CHECK(histogram_quantile(kInf, kExample) == kInf);
    CHECK(std::isnan(histogram_quantile(kNaN, kExample)));
    CHECK(histogram_quantile(-1, {}) == -kInf);
    CHECK(histogram_quantile(2, {{1, 1}}) == kInf);
  }

  TEST_CASE("histogram_quantile: a NaN total makes every rank miss the finite buckets") {
    // rank = q * NaN is NaN; no count is >= NaN, so the search ends in the +Inf bucket.
    CHECK(histogram_quantile(0.5, {{1, 1}, {2, 2}, {kInf, kNaN}}) == 2);
  }

  TEST_CASE("histogram_quantile: decreasing counts are raised to the envelope first") {
    // le=2 was scraped before its update: {1:2, 2:1, 3:3} is read as {1:2, 2:2, 3:3}. q=0.8 is rank 2.4 in
    // (2, 3] holding 1: 2 + 0.4 (without the fix it would be 2 + (2.4-1)/2 = 2.7).
    const std::vector<Bucket> dip{{1, 2}, {2, 1}, {3, 3}, {kInf, 3}};
    CHECK(histogram_quantile(0.8, dip) == doctest::Approx(2.4));
    // A +Inf bucket below the finite ones: the total is raised to 4, so q=0.5 is rank 2 at the top of (0, 1]
    // (with the total 3 it would be 0.75).
    CHECK(histogram_quantile(0.5, {{1, 2}, {2, 4}, {kInf, 3}}) == 1);
  }

  TEST_CASE("histogram_quantile: differences of floating-point noise between buckets are ignored") {
    // 10 + 1e-11 at le=2 is 10 again (relative difference 5e-13 < 1e-12), so rank 10.000000000005 is beyond
    // every finite bucket (taken as written, it would fall half way into (1, 2]: 1.5).
    const std::vector<Bucket> noisy{{1, 10}, {2, 10 + 1e-11}, {kInf, 20}};
    CHECK(histogram_quantile(0.50000000000025, noisy) == 2);
    // A real difference is kept: 10 + 1e-6 at le=2.
    const std::vector<Bucket> real{{1, 10}, {2, 10 + 1e-6}, {kInf, 20}};
    CHECK(histogram_quantile(0.5 + 0.25e-7, real) == doctest::Approx(1.5));
  }

  TEST_CASE("histogram_quantile: buckets of the same bound add up") {
    // {1:1, 1:1} is {1:2}: q=0.25 is rank 1 of 2 in (0, 1] (taken apart, rank 1 would fill the first: 1).
    CHECK(histogram_quantile(0.25, {{1, 1}, {1, 1}, {kInf, 4}}) == 0.5);
    // Two +Inf buckets make the total 4: q=0.2 is rank 0.8 of 1 in (0, 1].
    CHECK(histogram_quantile(0.2, {{1, 1}, {kInf, 2}, {kInf, 2}}) == doctest::Approx(0.8));
  }

  TEST_CASE("histogram_quantile over bucket increases across a reset") {
    // Before the restart {1:5, 2:8, +Inf:10}; after it {1:1, 2:2, +Inf:2}: each increase is the new count.
    const std::vector<Bucket> before{{1, 5}, {2, 8}, {kInf, 10}};
    const std::vector<Bucket> after{{1, 1}, {2, 2}, {kInf, 2}};
    std::vector<Bucket> increase;
    for (std::size_t i = 0; i < before.size(); ++i)
      increase.push_back({after[i].le, counter_increase(before[i].count, after[i].count)});
    CHECK(histogram_quantile(0.5, increase) == 1);  // rank 1 at the top of (0, 1]
    CHECK(histogram_quantile(0.75, increase) == 1.5);
    // Without a reset: {1:5, 2:8, +Inf:10} -> {1:6, 2:12, +Inf:14} is {1:1, 2:4, +Inf:4}; q=0.5 is rank 2 in
    // (1, 2] holding 3: 1 + 1/3.
    const std::vector<Bucket> later{{1, 6}, {2, 12}, {kInf, 14}};
    increase.clear();
    for (std::size_t i = 0; i < before.size(); ++i)
      increase.push_back({later[i].le, counter_increase(before[i].count, later[i].count)});
    CHECK(histogram_quantile(0.5, increase) == doctest::Approx(1 + 1.0 / 3));
  }
}
