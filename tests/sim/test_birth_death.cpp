#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/analytic/birth_death.hpp"
#include "sim/analytic/estimator_variance.hpp"
#include "sim/analytic/queueing.hpp"
#include "sim/chi_squared.hpp"
#include "sim/rng.hpp"
#include "sim/statistics.hpp"
#include "tests/support/approx.hpp"

using namespace capsim::analytic;
using capsim::testing::rel;

namespace {

BirthDeathProcess mmck_process(double lambda, double mu, int servers, std::size_t top) {
  BirthDeathProcess p{std::vector<double>(top, lambda), std::vector<double>(top)};
  for (std::size_t j = 0; j < top; ++j) {
    p.death[j] = mu * static_cast<double>(std::min<std::size_t>(j + 1, servers));
  }
  return p;
}

std::vector<double> identity(std::size_t n) {
  std::vector<double> v(n);
  for (std::size_t j = 0; j < n; ++j) v[j] = static_cast<double>(j);
  return v;
}

/// One replication of an M/M/c/K chain over [0, horizon], started from its stationary
/// distribution: the integral of the number present, the departures, the arrivals and those
/// turned away.
struct Path {
  double area = 0;
  double departures = 0;
  double arrivals = 0;
  double turned_away = 0;
};

Path simulate(const BirthDeathProcess& p, double horizon, capsim::sim::Rng& rng) {
  const std::vector<double> pi = stationary_distribution(p);
  const std::size_t top = p.birth.size();
  std::size_t state = 0;
  for (double u = rng.uniform_open(); state < top && u > pi[state]; ++state) u -= pi[state];
  Path path;
  for (double t = 0;;) {
    const double lambda = p.birth.front();  // arrivals at every state, the full one included
    const double death = state > 0 ? p.death[state - 1] : 0;
    const double step = -std::log(rng.uniform_open()) / (lambda + death);
    const double stay = std::min(step, horizon - t);
    path.area += static_cast<double>(state) * stay;
    t += step;
    if (t >= horizon) return path;
    if (rng.uniform_open() * (lambda + death) < lambda) {
      path.arrivals += 1;
      if (state < top) {
        ++state;
      } else {
        path.turned_away += 1;
      }
    } else {
      path.departures += 1;
      --state;
    }
  }
}

}  // namespace

TEST_SUITE("birth_death") {
  TEST_CASE("an on/off process: the time fraction on has variance rate 2 a b / (a + b)^3") {
    // Two states, on at rate a, off at rate b: the alternating renewal result (e.g. Whitt 1992,
    // sec. 4) and the limit of the formula at n = 1.
    const double a = 0.3, b = 2.5;
    const auto m = asymptotic_moments({{a}, {b}}, {.level = {0, 1}});
    CHECK(m.mean_rate == rel(a / (a + b), 1e-14));
    CHECK(m.variance_rate == rel(2 * a * b / std::pow(a + b, 3), 1e-13));
  }

  TEST_CASE(
      "M/M/1: Whitt's variance of the mean number present, Burke's departures, Daley's "
      "waits") {
    for (const double rho : {0.5, 0.9}) {
      CAPTURE(rho);
      const double mu = 2, lambda = rho * mu;
      const auto process = mmck_process(lambda, mu, 1, 800);
      const std::vector<double> ones(800, 1.0);
      // Whitt, "Planning queueing simulations", 1989: 2 rho (1 + rho) / (mu (1 - rho)^4).
      const auto l = asymptotic_moments(process, {.level = identity(801)});
      CHECK(l.mean_rate == rel(rho / (1 - rho), 1e-12));
      CHECK(l.variance_rate == rel(2 * rho * (1 + rho) / (mu * std::pow(1 - rho, 4)), 1e-10));
      // Departures of a stationary M/M/1 are Poisson (Burke 1956).
      const auto d = asymptotic_moments(process, {.down = ones});
      CHECK(d.mean_rate == rel(lambda, 1e-12));
      CHECK(d.variance_rate == rel(lambda, 1e-10));
      // Per customer, the mean wait has asymptotic variance rho (2 + 5 rho - 4 rho^2 + rho^3) /
      // (mu^2 (1 - rho)^4) (Daley, "The serial correlation coefficients of waiting times in a
      // stationary single server queue", J. Austral. Math. Soc. 8, 1968; Whitt 1989); here as
      // int X_q dt / departures over time, so lambda times the variance rate.
      const auto v = mmck_estimator_variances(lambda, mu, 1, std::nullopt);
      const double daley =
          rho * (2 + 5 * rho - 4 * rho * rho + rho * rho * rho) / (mu * mu * std::pow(1 - rho, 4));
      CHECK(lambda * v.Wq == rel(daley, 1e-9));
      CHECK(v.L == rel(l.variance_rate, 1e-10));
      CHECK(v.throughput == rel(lambda, 1e-10));
      // The fraction that waits, by busy cycles (mg1_p_wait_variance), from the chain.
      CHECK(v.p_wait == rel(mg1_p_wait_variance(lambda, 1 / mu, 1), 1e-9));
    }
  }

  TEST_CASE("a lossless station: renewal counts and the work of a compound renewal stream") {
    // Deterministic arrivals and service (D/D/1): nothing varies but the edges.
    const auto d = lossless_station_variances(0.5, 0, 1, 0, 1);
    CHECK(d.throughput == 0);
    CHECK(d.utilization == 0);
    // Erlang-3 arrivals (scv 1/3) into 2 servers of exponential service, mean 0.5 s:
    // lambda c_a^2 and lambda E[S]^2 (c_s^2 + c_a^2) / c^2.
    const auto e = lossless_station_variances(3, 1 / 3.0, 0.5, 1, 2);
    CHECK(e.throughput == rel(1, 1e-15));
    CHECK(e.utilization == rel(3 * 0.25 * (4 / 3.0) / 4, 1e-15));
  }

  TEST_CASE("M/M/c utilization: the chain agrees with the work of a compound Poisson stream") {
    // Two derivations: the birth-death chain, and busy time = work arrived - change of work
    // present, lambda E[S^2] / c^2 (lossless_station_variances).
    for (const int c : {1, 2, 16}) {
      CAPTURE(c);
      const double mu = 1, lambda = 0.85 * c;
      const auto v = mmck_estimator_variances(lambda, mu, c, std::nullopt);
      const auto lossless = lossless_station_variances(lambda, 1, 1 / mu, 1, c);
      CHECK(v.utilization == rel(lossless.utilization, 1e-9));
      CHECK(v.throughput == rel(lossless.throughput, 1e-9));
    }
  }

  // The formula against simulation: independent replications of an M/M/2/5 chain, each started
  // from its stationary distribution, whose sample variance s^2 of each estimate must sit within
  // its two-sided 1 - 1e-4 chi-squared interval about variance_rate / T: (R - 1) s^2 / sigma^2 is
  // chi-squared with R - 1 degrees of freedom when sigma is right (up to O(1/T)).
  // Overloaded (rho 1.5), so that a third of the arrivals are turned away.
  TEST_CASE("M/M/2/5 simulated: the spread of L, throughput, W and blocking is as derived") {
    const double lambda = 3, mu = 1, horizon = 1000;
    const int replications = 2000;
    const auto process = mmck_process(lambda, mu, 2, 5);
    const auto v = mmck_estimator_variances(lambda, mu, 2, 5);
    capsim::sim::Tally l, throughput, w, blocking;
    for (int r = 0; r < replications; ++r) {
      auto rng = capsim::sim::Rng::stream(71, static_cast<std::uint64_t>(r), "birth-death");
      const Path path = simulate(process, horizon, rng);
      l.add(path.area / horizon);
      throughput.add(path.departures / horizon);
      w.add(path.area / path.departures);
      blocking.add(path.turned_away / path.arrivals);
    }
    const double df = replications - 1;
    const double low = capsim::sim::chi_squared_quantile(0.5e-4, df) / df;
    const double high = capsim::sim::chi_squared_quantile(1 - 0.5e-4, df) / df;
    const auto m = mmck(lambda, mu, 2, 5);
    struct Row {
      std::string name;
      const capsim::sim::Tally& tally;
      double mean, variance_rate;
    };
    for (const Row& row :
         {Row{"L", l, m.L, v.L}, Row{"throughput", throughput, m.throughput, v.throughput},
          Row{"W", w, m.W, v.W}, Row{"blocking", blocking, m.blocking, v.blocking}}) {
      const double ratio = row.tally.variance() / (row.variance_rate / horizon);
      INFO(row.name, ": mean ", row.tally.mean(), " (theory ", row.mean, "), s^2 / sigma^2 ", ratio,
           " within [", low, ", ", high, "]");
      CHECK(ratio >= low);
      CHECK(ratio <= high);
      // The means too, within 4 standard errors of the mean of R replications.
      CHECK(std::fabs(row.tally.mean() - row.mean) <=
            4 * std::sqrt(row.variance_rate / horizon / replications));
    }
  }

  TEST_CASE("fixed window: Poisson counts with no limit, a Bernoulli with limit 1") {
    const auto free = fixed_window_variances(12, 1, 1000);
    CHECK(free.throughput == rel(12, 1e-12));
    CHECK(std::fabs(free.rejection_ratio) < 1e-20);
    // limit 1: M = 1{N >= 1}, p = 1 - e^-m; per window of 2 s at 0.4/s (m = 0.8).
    const double p = 1 - std::exp(-0.8);
    const auto one = fixed_window_variances(0.4, 2, 1);
    CHECK(one.throughput == rel(p * (1 - p) / 2, 1e-12));
    // R / N with R = N - M: 1 - r = p / m and Cov(N, M) = m (1 - p), so
    // Var((1 - r) N - M) = p^2 / m + p (1 - p) - 2 p (1 - p) = p^2 / m - p (1 - p).
    CHECK(one.rejection_ratio == rel((p * p / 0.8 - p * (1 - p)) / (2 * 0.4 * 0.4), 1e-12));
  }

  TEST_CASE("invalid processes and rewards throw") {
    CHECK_THROWS_AS(stationary_distribution({{1.0}, {}}), std::invalid_argument);
    CHECK_THROWS_AS(stationary_distribution({{1.0}, {0.0}}), std::invalid_argument);
    CHECK_THROWS_AS(asymptotic_moments({{1.0}, {1.0}}, {.level = {1, 2, 3}}),
                    std::invalid_argument);
    CHECK_THROWS_AS(mmck_estimator_variances(2, 1, 1, std::nullopt), std::domain_error);
    CHECK_THROWS_AS(mg1_p_wait_variance(1, 1, 0), std::domain_error);
  }
}
