// Law & Kelton's relative-precision arithmetic: the adjusted target and the replications an
// interval of that width needs.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "sim/sequential.hpp"
#include "sim/student_t.hpp"

using namespace capsim::sim;

TEST_CASE("adjusted relative error: gamma / (1 + gamma)") {
  CHECK(adjusted_relative_error(0.02) == doctest::Approx(0.02 / 1.02).epsilon(1e-15));
  CHECK(adjusted_relative_error(0.5) == doctest::Approx(1.0 / 3).epsilon(1e-15));
}

TEST_CASE("relative half-width of exact values and a zero mean and NaN") {
  CHECK(relative_half_width({2.0, 0.1, 5}) == doctest::Approx(0.05));
  CHECK(relative_half_width({-2.0, 0.1, 5}) == doctest::Approx(0.05));
  CHECK(relative_half_width({0.0, 0.0, 5}) == 0);  // every replication agrees
  CHECK(relative_half_width({3.0, 0.0, 5}) == 0);
  CHECK(std::isinf(relative_half_width({0.0, 0.1, 5})));
  CHECK(std::isnan(relative_half_width({NAN, 0.1, 5})));
  CHECK(std::isnan(relative_half_width({1.0, NAN, 5})));
}

TEST_CASE("replications needed: the smallest i with t(i - 1) S / sqrt(i) <= target |mean|") {
  // References from scipy (tests/sim/sequential_reference.py): the smallest such i by a scan,
  // for estimates of mean 1 and the relative half-width given.
  CHECK(replications_needed({1.0, 0.1, 10}, 0.02, 0.95) == 191);
  CHECK(replications_needed({-1.0, 0.05, 10}, 0.02 / 1.02, 0.95) == 52);
  CHECK(replications_needed({1.0, 0.3, 4}, 0.05, 0.95) == 58);
  // Met already: the replications there are.
  CHECK(replications_needed({1.0, 0.02, 10}, 0.02, 0.95) == 10);
  CHECK(replications_needed({1.0, 0.0, 7}, 0.02, 0.95) == 7);
  // Against a scan over i, for intervals from tight to wide.
  for (double relative : {0.01, 0.03, 0.1, 0.3, 1.0}) {
    for (std::size_t n : {2u, 5u, 10u, 40u}) {
      const auto count = static_cast<double>(n);
      const double spread = relative * std::sqrt(count) / student_t_quantile(0.975, count - 1);
      std::uint64_t i = n;
      auto half_width = [&](std::uint64_t k) {
        const auto x = static_cast<double>(k);
        return student_t_quantile(0.975, x - 1) * spread / std::sqrt(x);
      };
      while (half_width(i) > 0.02) ++i;
      INFO("relative half-width ", relative, " over ", n, " replications");
      CHECK(replications_needed({1.0, relative, n}, 0.02, 0.95) == i);
    }
  }
  // A zero mean with a positive half-width: no number of replications.
  CHECK(replications_needed({0.0, 0.1, 10}, 0.02, 0.95) == kUnreachable);
}
