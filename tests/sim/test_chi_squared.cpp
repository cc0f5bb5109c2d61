#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

#include "sim/chi_squared.hpp"
#include "tests/support/approx.hpp"

using capsim::sim::chi_squared_cdf;
using capsim::sim::chi_squared_quantile;
using capsim::sim::chi_squared_upper;
using capsim::testing::rel;

TEST_SUITE("chi_squared") {
  // Critical values published to 3 decimals in the NIST/SEMATECH e-Handbook of Statistical
  // Methods, section 1.3.6.7.4 "Critical Values of the Chi-Square Distribution" (3.841 for
  // df 1 at 0.95, 23.209 for df 10 at 0.99, 1.145 for df 5 at 0.05); the 16-digit references
  // and the far tails were computed independently with mpmath 1.3 (gammainc, regularized, and
  // findroot at 40 significant digits).
  TEST_CASE("published chi-squared critical values and far quantiles") {
    struct Row {
      double p;
      double df;
      double reference;
    };
    const Row rows[] = {
        {0.95, 1, 3.841458820694124},    {0.99, 10, 23.20925115895436},
        {0.05, 5, 1.145476226061769},    {0.5, 2, 1.386294361119891},
        {0.9999, 7, 29.87750390922517},  {0.9999, 9, 33.71994843896491},
        {0.9999, 15, 44.26322494417528}, {0.9999, 19, 50.79548966562221},
        {1e-4, 9, 0.6608091600425833},
    };
    for (const Row& row : rows) {
      CAPTURE(row.p);
      CAPTURE(row.df);
      CHECK(chi_squared_quantile(row.p, row.df) == rel(row.reference, 1e-11));
      CHECK(chi_squared_cdf(row.reference, row.df) == rel(row.p, 1e-12));
    }
    CHECK(std::fabs(chi_squared_quantile(0.95, 1) - 3.841) <= 5e-4);
    CHECK(std::fabs(chi_squared_quantile(0.99, 10) - 23.209) <= 5e-4);
    CHECK(std::fabs(chi_squared_quantile(0.05, 5) - 1.145) <= 5e-4);
  }

  TEST_CASE("the upper tail keeps its digits where 1 - cdf would lose them") {
    CHECK(chi_squared_upper(3, 9) == rel(0.9642949726850891, 1e-13));  // series side
    CHECK(chi_squared_upper(500, 200) == rel(1.173701770448787e-27, 1e-11));
    CHECK(chi_squared_cdf(3, 9) + chi_squared_upper(3, 9) == rel(1, 1e-15));
    CHECK(chi_squared_cdf(0, 4) == 0);
    CHECK(chi_squared_upper(0, 4) == 1);
    // df 2 is the exponential distribution of mean 2: P(X > x) = e^(-x/2).
    CHECK(chi_squared_upper(30, 2) == rel(std::exp(-15.0), 1e-13));
  }

  TEST_CASE("invalid arguments throw") {
    CHECK_THROWS_AS(chi_squared_quantile(0, 3), std::invalid_argument);
    CHECK_THROWS_AS(chi_squared_quantile(1, 3), std::invalid_argument);
    CHECK_THROWS_AS(chi_squared_quantile(0.5, 0), std::invalid_argument);
    CHECK_THROWS_AS(chi_squared_cdf(-1, 3), std::invalid_argument);
    CHECK_THROWS_AS(chi_squared_upper(1, -2), std::invalid_argument);
  }
}
