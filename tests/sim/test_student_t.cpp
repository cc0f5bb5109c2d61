#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "sim/student_t.hpp"
#include "tests/support/approx.hpp"

using capsim::sim::normal_quantile;
using capsim::sim::student_t_cdf;
using capsim::sim::student_t_quantile;
using capsim::testing::rel;

namespace {

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

}  // namespace

TEST_SUITE("student_t") {
  // Critical values t_{p, df}, published to 3 decimals in the NIST/SEMATECH e-Handbook of
  // Statistical Methods, section 1.3.6.7.2 "Critical Values of the Student's t Distribution"
  // (p = 0.95 ... 0.995 columns), and in Abramowitz & Stegun, Handbook of Mathematical
  // Functions, Table 26.10 (which also has the p = 0.9995 column: 8.610 for df = 4). The
  // 15-digit references were computed independently with mpmath 1.3 (betainc + findroot at
  // 40 significant digits) and round to the published values.
  TEST_CASE("published t critical values") {
    struct Row {
      double p;
      double df;
      double table;      // published, 3 decimals
      double reference;  // mpmath, 15 digits
    };
    const Row rows[] = {
        {0.975, 1, 12.706, 12.7062047361747}, {0.975, 4, 2.776, 2.77644510519779},
        {0.975, 9, 2.262, 2.2621571627982},   {0.995, 4, 4.604, 4.60409487134999},
        {0.9995, 4, 8.610, 8.61030158137952}, {0.975, 30, 2.042, 2.04227245630124},
        {0.95, 10, 1.812, 1.81246112281168},
    };
    for (const Row& row : rows) {
      CAPTURE(row.p);
      CAPTURE(row.df);
      const double t = student_t_quantile(row.p, row.df);
      CHECK(std::fabs(t - row.table) <= 5e-4);  // agrees with the table to its 3 decimals
      CHECK(t == rel(row.reference, 1e-12));
      CHECK(student_t_cdf(row.reference, row.df) == rel(row.p, 1e-13));
    }
  }

  // Standard normal quantiles, published to 3 decimals as the df = infinity row of the t tables
  // cited above (1.645, 1.960, 2.576; 3.291 for 0.9995). 15-digit references from mpmath
  // (sqrt(2) erfinv(2p - 1) at 40 digits).
  TEST_CASE("published normal quantiles") {
    CHECK(normal_quantile(0.975) == rel(1.95996398454005, 1e-13));
    CHECK(normal_quantile(0.9995) == rel(3.29052673149193, 1e-13));
    CHECK(normal_quantile(0.95) == rel(1.64485362695147, 1e-13));
    CHECK(normal_quantile(0.995) == rel(2.5758293035489, 1e-13));
    CHECK(normal_quantile(0.5) == 0.0);
  }

  TEST_CASE("normal quantile in the far tails and as inverse of the normal cdf") {
    // 20-digit references from mpmath (findroot on ncdf at 50 digits).
    CHECK(normal_quantile(1e-300) == rel(-37.047096299361199237, 1e-15));
    CHECK(normal_quantile(1e-100) == rel(-21.273453560965324295, 1e-15));
    CHECK(normal_quantile(1e-20) == rel(-9.2623400897984075737, 1e-15));
    CHECK(normal_quantile(1e-8) == rel(-5.6120012441747887315, 1e-15));
    for (double p : {1e-300, 1e-100, 1e-20, 1e-8, 1e-3, 0.02425, 0.1, 0.3, 0.49, 0.5 + 1e-9}) {
      CAPTURE(p);
      const double z = normal_quantile(p);
      // A 1-ulp error in z moves Phi by about z^2 ulps in relative terms.
      CHECK(normal_cdf(z) == rel(p, 1e-14 * (1.0 + z * z)));
      // Symmetry where 1 - p is exact: q = 1 - p rounded, then 1 - q is exact.
      const double q = 1.0 - p;
      if (q < 1.0) CHECK(normal_quantile(q) == -normal_quantile(1.0 - q));
    }
  }

  // Closed forms for small integer df (Abramowitz & Stegun 26.7.3 / 26.7.4):
  //   df = 1: F(t) = 1/2 + atan(t)/pi,                 t_p = tan(pi (p - 1/2))
  //   df = 2: F(t) = 1/2 + t / (2 sqrt(2 + t^2)),       t_p = (2p - 1) / sqrt(2 p (1 - p))
  //   df = 3: F(t) = 1/2 + [atan(t/sqrt3) + sqrt3 t / (3 + t^2)] / pi
  // The lower tails F(-t), t > 0, are rewritten without cancellation: atan(1/t)/pi for df = 1,
  // 1 / (s (s + t)) with s = sqrt(2 + t^2) for df = 2; and t_p = -1/tan(pi p) for df = 1.
  TEST_CASE("closed forms for df = 1 - 2 - 3") {
    const double pi = std::numbers::pi;
    const double sqrt3 = std::numbers::sqrt3;
    for (double t : {1e-6, 0.2, 0.7, 1.0, 2.0, 3.0, 10.0, 50.0, 1e4}) {
      CAPTURE(t);
      const double s = std::sqrt(2.0 + t * t);
      CHECK(student_t_cdf(-t, 1) == rel(std::atan(1.0 / t) / pi, 1e-13));
      CHECK(student_t_cdf(t, 1) == rel(0.5 + std::atan(t) / pi, 1e-15));
      CHECK(student_t_cdf(-t, 2) == rel(1.0 / (s * (s + t)), 1e-13));
      CHECK(student_t_cdf(t, 2) == rel(0.5 + t / (2.0 * s), 1e-15));
      CHECK(student_t_cdf(t, 3) ==
            rel(0.5 + (std::atan(t / sqrt3) + sqrt3 * t / (3.0 + t * t)) / pi, 1e-15));
      if (t <= 3.0) {  // the df = 3 lower-tail formula cancels for larger t
        CHECK(student_t_cdf(-t, 3) ==
              rel(0.5 - (std::atan(t / sqrt3) + sqrt3 * t / (3.0 + t * t)) / pi, 1e-13));
      }
    }
    for (double p : {1e-12, 1e-4, 0.01, 0.2, 0.4999}) {
      CAPTURE(p);
      const double q = 1.0 - p;  // rounded, but 1 - q is exact
      CHECK(student_t_quantile(p, 1) == rel(-1.0 / std::tan(pi * p), 1e-12));
      CHECK(student_t_quantile(q, 1) == rel(1.0 / std::tan(pi * (1.0 - q)), 1e-12));
      CHECK(student_t_quantile(p, 2) == rel((2.0 * p - 1.0) / std::sqrt(2.0 * p * q), 1e-12));
    }
    // 20-digit mpmath references: -1/(pi 1e-100) and -cot(pi 1e-12).
    CHECK(student_t_quantile(1e-100, 1) == rel(-3.1830988618379067154e+99, 1e-12));
    CHECK(student_t_quantile(1e-12, 1) == rel(-318309886183.79067794, 1e-12));
  }

  TEST_CASE("quantile inverts the cdf for integer and non-integer df") {
    for (double df : {0.3, 0.5, 1.0, 1.5, 2.5, 4.0, 7.7, 19.0, 120.0, 2500.0, 3e4, 1e7}) {
      for (double p : {1e-10, 1e-4, 0.01, 0.05, 0.25, 0.4, 0.5 + 1e-7, 0.8, 0.975, 0.9999}) {
        CAPTURE(df);
        CAPTURE(p);
        const double t = student_t_quantile(p, df);
        CHECK(std::isfinite(t));
        // Compare in the smaller tail so the check is relative where it matters.
        if (p < 0.5) {
          CHECK(student_t_cdf(t, df) == rel(p, 1e-11));
        } else {
          CHECK(1.0 - student_t_cdf(t, df) == rel(1.0 - p, 1e-9));
          CHECK(student_t_cdf(t, df) - 0.5 == rel(p - 0.5, 1e-9));
        }
      }
    }
  }

  TEST_CASE("symmetry identities") {
    for (double df : {0.7, 1.0, 3.0, 5.5, 40.0, 5e4}) {
      for (double p : {1e-6, 0.01, 0.1, 0.3, 0.45}) {
        CAPTURE(df);
        CAPTURE(p);
        // t_{1-p} = -t_p. With q = 1 - p rounded, 1 - q is exact, so both calls solve for the
        // same tail probability and must agree exactly.
        const double q = 1.0 - p;
        CHECK(student_t_quantile(q, df) == -student_t_quantile(1.0 - q, df));
        CHECK(student_t_quantile(q, df) == rel(-student_t_quantile(p, df), 1e-9));
      }
      for (double t : {0.01, 0.5, 1.0, 2.5, 8.0}) {
        CAPTURE(df);
        CAPTURE(t);
        CHECK(student_t_cdf(-t, df) + student_t_cdf(t, df) == doctest::Approx(1.0).epsilon(1e-15));
      }
      CHECK(student_t_cdf(0.0, df) == 0.5);
      CHECK(student_t_quantile(0.5, df) == 0.0);
    }
  }

  TEST_CASE("large df tends to the normal - and quantiles decrease with df") {
    for (double p : {0.9, 0.975, 0.9995}) {
      CAPTURE(p);
      const double z = normal_quantile(p);
      // Cornish-Fisher: t_p - z_p ~ (z^3 + z) / (4 df), i.e. ~2e-12 here.
      CHECK(student_t_quantile(p, 1e12) == rel(z, 1e-11));
      CHECK(student_t_quantile(p, std::numeric_limits<double>::infinity()) == z);
      double previous = std::numeric_limits<double>::infinity();
      for (double df : {0.5, 1.0, 2.0, 3.5, 10.0, 100.0, 9999.0, 1e4, 1e6}) {
        const double t = student_t_quantile(p, df);
        CHECK(t < previous);
        CHECK(t > z);
        previous = t;
      }
    }
    // Continuity across the internal switch of tail algorithm at df = 1e4.
    CHECK(student_t_quantile(0.975, 1e4 - 1e-6) == rel(student_t_quantile(0.975, 1e4), 1e-13));
    CHECK(student_t_cdf(2.5, 1e4 - 1e-6) == rel(student_t_cdf(2.5, 1e4), 1e-14));
  }

  TEST_CASE("heavy tails: tiny df and extreme p") {
    // df = 0.05 and p = 1e-12: t ~ 1e233, still finite and consistent with the cdf.
    const double t = student_t_quantile(1e-12, 0.05);
    CHECK(t < -1e200);
    CHECK(student_t_cdf(t, 0.05) == rel(1e-12, 1e-11));
    // Beyond the largest double the quantile saturates at infinity.
    CHECK(student_t_quantile(1e-300, 0.05) == -std::numeric_limits<double>::infinity());
    CHECK(student_t_cdf(std::numeric_limits<double>::infinity(), 3.0) == 1.0);
    CHECK(student_t_cdf(-std::numeric_limits<double>::infinity(), 3.0) == 0.0);
  }

  TEST_CASE("invalid arguments throw") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(normal_quantile(0.0), std::invalid_argument);
    CHECK_THROWS_AS(normal_quantile(1.0), std::invalid_argument);
    CHECK_THROWS_AS(normal_quantile(nan), std::invalid_argument);
    CHECK_THROWS_AS(student_t_quantile(0.0, 3.0), std::invalid_argument);
    CHECK_THROWS_AS(student_t_quantile(1.5, 3.0), std::invalid_argument);
    CHECK_THROWS_AS(student_t_quantile(0.9, 0.0), std::invalid_argument);
    CHECK_THROWS_AS(student_t_quantile(0.9, -2.0), std::invalid_argument);
    CHECK_THROWS_AS(student_t_quantile(0.9, nan), std::invalid_argument);
    CHECK_THROWS_AS(student_t_cdf(1.0, 0.0), std::invalid_argument);
  }
}
