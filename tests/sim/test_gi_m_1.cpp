// The GI/M/1 root solver and the power-of-d mean-field formulas against closed forms and values
// computed independently with mpmath (tests/sim/gi_m_1_reference.py, which shows the working).
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

#include "sim/analytic/gi_m_1.hpp"
#include "sim/analytic/queueing.hpp"
#include "tests/support/approx.hpp"

using namespace capsim::analytic;
using capsim::testing::rel;

namespace {

double erlang_sigma(int phases, double lambda, double mu) {
  return gi_m_1_sigma([&](double s) { return erlang_transform(phases, lambda, s); }, lambda, mu);
}

double deterministic_sigma(double lambda, double mu) {
  return gi_m_1_sigma([&](double s) { return std::exp(-s / lambda); }, lambda, mu);
}

}  // namespace

TEST_SUITE("analytic") {
  TEST_CASE("GI/M/1 with Poisson arrivals is M/M/1: sigma = rho") {
    for (double rho : {0.05, 0.3, 0.5, 0.8, 0.95, 0.999}) {
      CAPTURE(rho);
      // Erlang-1 is exponential.
      CHECK(erlang_sigma(1, rho, 1.0) == rel(rho, 1e-12));
      const auto g = gi_m_1(rho, 1.0, rho);
      const auto m = mm1(rho, 1.0);
      CHECK(g.W == rel(m.W, 1e-12));
      CHECK(g.Wq == rel(m.Wq, 1e-12));
      CHECK(g.L == rel(m.L, 1e-12));
      CHECK(g.Lq == rel(m.Lq, 1e-12));
      CHECK(g.p_wait == rel(m.p_wait, 1e-12));
      CHECK(g.utilization == rel(m.utilization, 1e-12));
      for (double q : {0.5, 0.9, 0.999}) {
        CHECK(gi_m_1_sojourn_quantile(1.0, rho, q) ==
              rel(mm1_sojourn_quantile(rho, 1.0, q), 1e-12));
        CHECK(gi_m_1_wait_quantile(1.0, rho, q) ==
              doctest::Approx(mmc_wait_quantile(rho, 1.0, 1, q)).epsilon(1e-12));
      }
    }
  }

  TEST_CASE("E2/M/1: sigma = (1 + 4 rho - sqrt(1 + 8 rho)) / 2") {
    // rho = 0.5 gives (3 - sqrt 5) / 2, the golden-ratio conjugate squared.
    CHECK(erlang_sigma(2, 0.5, 1.0) == rel(0.3819660112501051518, 1e-12));
    CHECK(erlang_sigma(2, 0.8, 1.0) == rel(0.7398529491264556655, 1e-12));
    for (double rho : {0.1, 0.6, 0.9, 0.99}) {
      CAPTURE(rho);
      // Scale-free: only rho matters.
      CHECK(erlang_sigma(2, 3 * rho, 3.0) ==
            rel((1 + 4 * rho - std::sqrt(1 + 8 * rho)) / 2, 1e-11));
    }
  }

  TEST_CASE("E3/M/1 at rho 0.8 as in the round-robin scenario") {
    const double sigma = erlang_sigma(3, 8.0, 10.0);
    CHECK(sigma == rel(0.71093444085528235249, 1e-12));
    const auto m = gi_m_1(8.0, 10.0, sigma);
    CHECK(m.W == rel(1 / (10 * (1 - 0.71093444085528235249)), 1e-11));
    CHECK(m.L == rel(8 * m.W, 1e-15));
  }

  TEST_CASE("D/M/1: sigma = -rho W0(-exp(-1/rho) / rho)") {
    CHECK(deterministic_sigma(0.5, 1.0) == rel(0.20318786997997995384, 1e-12));
    CHECK(deterministic_sigma(9.0, 10.0) == rel(0.80689983285580336395, 1e-12));
  }

  TEST_CASE("more regular arrivals wait less: D < E3 < E2 < M at equal rho") {
    const double rho = 0.7;
    const double d = deterministic_sigma(rho, 1.0);
    const double e3 = erlang_sigma(3, rho, 1.0);
    const double e2 = erlang_sigma(2, rho, 1.0);
    CHECK(d < e3);
    CHECK(e3 < e2);
    CHECK(e2 < rho);
  }

  TEST_CASE("GI/M/1 wait quantiles: atom at 0 of mass 1 - sigma then exponential") {
    const double sigma = 0.6, mu = 2.0;
    CHECK(gi_m_1_wait_quantile(mu, sigma, 0.3) == 0.0);
    CHECK(gi_m_1_wait_quantile(mu, sigma, 0.4) == 0.0);
    const double t = gi_m_1_wait_quantile(mu, sigma, 0.9);
    CHECK(sigma * std::exp(-mu * (1 - sigma) * t) == rel(0.1, 1e-12));
    const double s = gi_m_1_sojourn_quantile(mu, sigma, 0.9);
    CHECK(std::exp(-mu * (1 - sigma) * s) == rel(0.1, 1e-12));
  }

  TEST_CASE("power of d mean-field limit") {
    CHECK(power_of_d_tail(0.9, 2, 0) == 1.0);
    CHECK(power_of_d_tail(0.9, 2, 1) == rel(0.9, 1e-15));
    CHECK(power_of_d_tail(0.9, 2, 2) == rel(std::pow(0.9, 3), 1e-15));
    CHECK(power_of_d_tail(0.9, 3, 3) == rel(std::pow(0.9, 13), 1e-14));
    CHECK(power_of_d_mean_number(0.5, 2) == rel(0.63284301804378628742, 1e-14));
    CHECK(power_of_d_mean_number(0.9, 2) == rel(2.3526516395914879884, 1e-14));
    CHECK(power_of_d_mean_number(0.99, 2) == rel(5.3776766133702611141, 1e-13));
    CHECK(power_of_d_mean_number(0.9, 3) == rel(1.8250703720957508131, 1e-14));
    // Far below M/M/1's rho / (1 - rho) = 9, and more choices help less and less.
    CHECK(power_of_d_mean_number(0.9, 2) < 9);
    // d = 20: s_3 = 0.9^421 is negligible.
    CHECK(power_of_d_mean_number(0.9, 20) == rel(0.9 + std::pow(0.9, 21), 1e-14));
  }

  TEST_CASE("invalid arguments and unstable queues throw") {
    const auto exponential = [](double s) { return 1 / (1 + s); };
    CHECK_THROWS_AS(gi_m_1_sigma(exponential, 1.0, 1.0), std::domain_error);
    CHECK_THROWS_AS(gi_m_1_sigma(exponential, 2.0, 1.0), std::domain_error);
    CHECK_THROWS_AS(gi_m_1_sigma(exponential, 0.0, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(gi_m_1_sigma(exponential, 0.5, -1.0), std::invalid_argument);
    CHECK_THROWS_AS(erlang_transform(0, 1.0, 0.5), std::invalid_argument);
    CHECK_THROWS_AS(gi_m_1(1.0, 2.0, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(gi_m_1_wait_quantile(1.0, 0.5, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(power_of_d_mean_number(1.0, 2), std::invalid_argument);
    CHECK_THROWS_AS(power_of_d_mean_number(0.5, 1), std::invalid_argument);
    CHECK_THROWS_AS(power_of_d_tail(0.5, 2, -1), std::invalid_argument);
  }
}
