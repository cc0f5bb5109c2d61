#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/quantile_histogram.hpp"
#include "sim/rng.hpp"
#include "sim/statistics.hpp"

using namespace capsim::sim;

TEST_CASE("Tally: mean and sample variance") {
  Tally t;
  CHECK(std::isnan(t.mean()));
  for (double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) t.add(x);
  CHECK(t.count() == 8);
  CHECK(t.mean() == doctest::Approx(5.0).epsilon(1e-15));
  CHECK(t.variance() == doctest::Approx(32.0 / 7.0).epsilon(1e-14));
  t.reset();
  CHECK(t.count() == 0);
}

TEST_CASE("Tally: no cancellation when the mean is large against the spread") {
  // Textbook case (Chan, Golub & LeVeque): naive sums of squares lose every digit here.
  Tally t;
  for (double x : {4.0, 7.0, 13.0, 16.0}) t.add(1e9 + x);
  CHECK(t.mean() == 1e9 + 10.0);
  CHECK(t.variance() == 30.0);
  // A million values near 1e9 against a two-pass reference.
  Tally many;
  std::vector<double> xs;
  Rng rng(3);
  for (int i = 0; i < 1'000'000; ++i) xs.push_back(1e9 + rng.uniform_open());
  double sum = 0;
  for (double x : xs) {
    many.add(x);
    sum += x - 1e9;
  }
  const double mean = 1e9 + sum / static_cast<double>(xs.size());
  double squares = 0;
  for (double x : xs) squares += (x - mean) * (x - mean);
  CHECK(many.mean() == doctest::Approx(mean).epsilon(1e-15));
  CHECK(many.variance() ==
        doctest::Approx(squares / static_cast<double>(xs.size() - 1)).epsilon(1e-9));
  CHECK(many.variance() == doctest::Approx(1.0 / 12).epsilon(0.01));
}

TEST_CASE("Tally: merging parts gives the tally of the whole") {
  // Parts with different shifts (their first values) and a large common offset.
  Rng rng(5);
  Tally whole, first, second, empty;
  for (int i = 0; i < 10'000; ++i) {
    const double x = 1e9 + (i % 3 == 0 ? 5.0 : 0.0) + rng.uniform_open();
    whole.add(x);
    (i < 3'000 ? first : second).add(x);
  }
  Tally merged;
  merged.merge(empty);
  CHECK(merged.count() == 0);
  merged.merge(first);  // into an empty tally: an exact copy
  CHECK(merged.mean() == first.mean());
  CHECK(merged.variance() == first.variance());
  merged.merge(second);
  merged.merge(empty);
  CHECK(merged.count() == whole.count());
  CHECK(merged.mean() == doctest::Approx(whole.mean()).epsilon(1e-15));
  CHECK(merged.variance() == doctest::Approx(whole.variance()).epsilon(1e-9));
}

TEST_CASE("TimeAverage integrates a piecewise-constant level exactly") {
  TimeAverage a;
  a.set(1.0, 2.0);  // 0 on [0,1), 2 on [1,3), 5 on [3,4]
  a.set(3.0, 5.0);
  CHECK(a.mean(4.0) == doctest::Approx((0 * 1 + 2 * 2 + 5 * 1) / 4.0).epsilon(1e-15));
  a.reset(4.0);  // keeps the level (5) going
  a.add(6.0, -5.0);
  CHECK(a.mean(8.0) == doctest::Approx((5 * 2 + 0 * 2) / 4.0).epsilon(1e-15));
  CHECK(std::isnan(a.mean(4.0)));  // empty interval
}

TEST_CASE("estimate: Student-t interval from replications") {
  // Values 1..5: mean 3, s = sqrt(2.5), t(0.975, 4) = 2.7764451 (NIST t table).
  const std::vector<double> values = {1, 2, 3, 4, 5};
  const Estimate e = estimate(values, 0.95);
  CHECK(e.mean == doctest::Approx(3.0));
  CHECK(e.half_width == doctest::Approx(2.7764451 * std::sqrt(2.5 / 5)).epsilon(1e-7));
  CHECK(e.replications == 5);
  const std::vector<double> with_nan = {1, std::nan(""), 3};
  CHECK(std::isnan(estimate(with_nan).mean));
}

TEST_CASE("QuantileHistogram: every quantile within the stated relative error of the exact one") {
  Rng rng(99);
  QuantileHistogram h;
  std::vector<double> values;
  for (int i = 0; i < 200000; ++i) {
    // Lognormal-ish spread over six decades, plus exact zeros.
    const double u = rng.uniform_open();
    const double x = i % 10 == 0 ? 0.0 : std::exp(14 * (u - 0.5)) * 1e-3;
    values.push_back(x);
    h.add(x);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.0, 0.05, 0.1, 0.11, 0.5, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0}) {
    const auto rank =
        std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(q * values.size())));
    const double exact = values[rank - 1];
    const double approx = h.quantile(q);
    CAPTURE(q);
    if (exact == 0) {
      CHECK(approx == 0);
    } else {
      CHECK(std::fabs(approx - exact) <= QuantileHistogram::kRelativeError * exact);
    }
  }
  CHECK(h.quantile(1.0) == values.back());
  h.reset();
  CHECK(std::isnan(h.quantile(0.5)));
  h.add(3.0);
  CHECK(h.quantile(0.5) == 3.0);
}

TEST_CASE("QuantileHistogram memory stays bounded by the range - not the count") {
  QuantileHistogram h;
  Rng rng(1);
  for (int i = 0; i < 1000000; ++i) h.add(1e-3 + rng.uniform_open());  // within one decade
  // The bucket array covers about log2(1001/1) octaves of 128 buckets each, plus slack.
  CHECK(h.count() == 1000000);
  CHECK(h.quantile(0.5) == doctest::Approx(0.501).epsilon(0.01));
}

TEST_CASE("QuantileHistogram: a bucket counts past 2^32 (buckets keep 32 bits and carry the rest)") {
  // 2^32 - 1 observations of 2.0 from merged powers of two, then 3 more by add(): the bucket
  // of 2.0 wraps once on merging and once on adding.
  QuantileHistogram power;  // holds 2^k observations of 2.0 after k doublings
  power.add(2.0);
  QuantileHistogram twos;
  for (int k = 0; k < 32; ++k) {
    twos.merge(power);
    const QuantileHistogram copy = power;
    power.merge(copy);
  }
  CHECK(twos.count() == (std::uint64_t{1} << 32) - 1);
  CHECK(power.count() == std::uint64_t{1} << 32);
  for (int i = 0; i < 3; ++i) twos.add(2.0);
  const std::uint64_t n = (std::uint64_t{1} << 32) + 2;
  CHECK(twos.count() == n);
  // One observation far above: the median stays 2, the top quantile is the outlier.
  twos.add(1000.0);
  CHECK(twos.count() == n + 1);
  CHECK(twos.quantile(0.5) == doctest::Approx(2.0).epsilon(QuantileHistogram::kRelativeError));
  CHECK(twos.quantile(1.0) == 1000.0);
  // Merging it twice doubles every count, carries included.
  QuantileHistogram both;
  both.merge(twos);
  both.merge(twos);
  CHECK(both.count() == 2 * (n + 1));
  CHECK(both.quantile(static_cast<double>(2 * n) / static_cast<double>(2 * n + 2)) ==
        doctest::Approx(2.0).epsilon(QuantileHistogram::kRelativeError));
  both.reset();
  CHECK(both.count() == 0);
}

TEST_CASE("BatchMeans: batches double in size when full - a partial batch is left out") {
  BatchMeans b;
  for (int i = 0; i < 32; ++i) b.add(i % 2);
  CHECK(b.batches() == 32);
  CHECK(b.mean(0) == 0.0);
  CHECK(b.mean(1) == 1.0);
  // At 64 full batches neighbours merge: 32 batches of 2, each of mean 0.5.
  for (int i = 32; i < 64; ++i) b.add(i % 2);
  CHECK(b.batches() == 32);
  CHECK(b.batch_size() == 2);
  CHECK(b.mean(31) == 0.5);
  for (int i = 64; i < 101; ++i) b.add(i);
  CHECK(b.batches() == 50);
  CHECK(b.mean(32) == (64 + 65) / 2.0);
  CHECK(b.count() == 101);
  b.reset();
  CHECK(b.count() == 0);
  CHECK(b.batches() == 0);
}

TEST_CASE("lag1_autocorrelation: exact on small series - near 0 for independent batch means") {
  // Alternating 0, 1: deviations +-0.5, so 31 * (-0.25) / (32 * 0.25).
  std::vector<double> alternating;
  for (int i = 0; i < 32; ++i) alternating.push_back(i % 2);
  CHECK(lag1_autocorrelation(alternating) == -31.0 / 32.0);
  CHECK(std::isnan(lag1_autocorrelation(std::vector<double>{1.0})));
  CHECK(std::isnan(lag1_autocorrelation(std::vector<double>{2.0, 2.0, 2.0})));

  Rng rng(7);
  BatchMeans independent, trend;
  const Distribution exponential = Distribution::exponential(1.0);
  for (int i = 0; i < 200'000; ++i) {
    independent.add(exponential.sample(rng));
    trend.add(i);
  }
  auto means = [](const BatchMeans& b) {
    std::vector<double> out;
    for (std::size_t i = 0; i < b.batches(); ++i) out.push_back(b.mean(i));
    return out;
  };
  CHECK(independent.batches() >= BatchMeans::kBatches / 2);
  CHECK(std::fabs(lag1_autocorrelation(means(independent))) < 0.4);
  CHECK(lag1_autocorrelation(means(trend)) > 0.9);
}
