// The rate-limiter closed forms against independent computations: direct sums in long double,
// identities of the Poisson distribution, dense Eigen solves of the full transition matrices
// (instead of the cut-equation recursion), and the known M/M/1/K, M/D/1 and loss-system limits.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>
#include <vector>

#include "sim/analytic/queueing.hpp"
#include "sim/analytic/rate_limit.hpp"
#include "tests/support/approx.hpp"

using namespace capsim::analytic;
using capsim::testing::rel;

namespace {

/// E[min(N, n)] straight from its definition, in long double, pmf by its recursion from k = 0
/// (fine for mean <= 50, where e^-mean does not underflow).
double truncated_mean_direct(double mean, int cap) {
  long double p = std::exp(-static_cast<long double>(mean));
  long double below = 0;  // sum_{k<n} k P(N = k)
  long double cdf = 0;    // P(N < n)
  for (int k = 0; k < cap; ++k) {
    below += k * p;
    cdf += p;
    p *= mean / (k + 1.0L);
  }
  return static_cast<double>(below + cap * (1 - cdf));
}

/// Stationary distribution of a row-stochastic matrix by a dense LU solve of pi (P - I) = 0
/// with one equation replaced by sum(pi) = 1.
Eigen::VectorXd dense_stationary(const Eigen::MatrixXd& transition) {
  const Eigen::Index n = transition.rows();
  Eigen::MatrixXd system = transition.transpose() - Eigen::MatrixXd::Identity(n, n);
  system.row(n - 1).setOnes();
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(n);
  rhs(n - 1) = 1;
  return system.fullPivLu().solve(rhs);
}

double poisson(double mean, int k) {
  return std::exp(-mean + k * std::log(mean) - std::lgamma(k + 1.0));
}

/// The token bucket built from its rule alone: the level X (1..b) just after a token, then
/// N ~ Poisson(lambda / r) requests each taking a token while there is one, then the next token.
/// Returns the admitted rate r E[min(X, N)], a different formula from the implementation's
/// (lost tokens) on a different chain (levels, not deficits).
double token_bucket_dense(double lambda, double r, int b) {
  const double mean = lambda / r;
  const int arrivals_max = static_cast<int>(mean + 15 * std::sqrt(mean) + 60);
  Eigen::MatrixXd transition = Eigen::MatrixXd::Zero(b, b);  // index = level - 1
  std::vector<double> expected_admitted(static_cast<std::size_t>(b), 0.0);
  for (int level = 1; level <= b; ++level) {
    for (int n = 0; n <= arrivals_max; ++n) {
      const double p = poisson(mean, n);
      const int next = std::min(std::max(level - n, 0) + 1, b);
      transition(level - 1, next - 1) += p;
      expected_admitted[static_cast<std::size_t>(level - 1)] += p * std::min(level, n);
    }
  }
  const Eigen::VectorXd pi = dense_stationary(transition);
  double admitted = 0;
  for (int level = 1; level <= b; ++level) {
    admitted += pi(level - 1) * expected_admitted[static_cast<std::size_t>(level - 1)];
  }
  return r * admitted;
}

/// M/D/1/K from a dense solve of the departure chain, built from its rule: a departure leaves
/// i; the next service starts at once (i >= 1) or with the next arrival (i = 0); the next
/// departure leaves min(max(i - 1, 0) + A, K - 1) with A ~ Poisson(rho) arrivals in a service.
/// Returns the blocking probability 1 - 1 / (pi_0 + rho) and L.
std::pair<double, double> md1k_dense(double lambda, double mu, int capacity) {
  const double rho = lambda / mu;
  const int arrivals_max = static_cast<int>(rho + 15 * std::sqrt(rho) + 60);
  Eigen::MatrixXd transition = Eigen::MatrixXd::Zero(capacity, capacity);
  for (int i = 0; i < capacity; ++i) {
    for (int a = 0; a <= arrivals_max; ++a) {
      transition(i, std::min(std::max(i - 1, 0) + a, capacity - 1)) += poisson(rho, a);
    }
  }
  const Eigen::VectorXd pi = dense_stationary(transition);
  const double scale = pi(0) + rho;
  double L = 0;
  for (int j = 1; j < capacity; ++j) L += j * pi(j) / scale;
  const double blocking = 1 - 1 / scale;
  return {blocking, L + capacity * blocking};
}

}  // namespace

TEST_SUITE("rate_limit_theory") {
  TEST_CASE("E[min(N, n)] for Poisson N: direct sums, n = 1, n = 0 and a huge cap") {
    for (double mean : {0.01, 0.5, 1.0, 7.3, 30.0, 50.0}) {
      INFO("mean ", mean);
      CHECK(poisson_truncated_mean(mean, 0) == 0);
      CHECK(poisson_truncated_mean(mean, 1) == rel(-std::expm1(-mean), 1e-12));
      for (int cap : {2, 3, 5, 10, 40, 100}) {
        INFO("cap ", cap);
        CHECK(poisson_truncated_mean(mean, cap) == rel(truncated_mean_direct(mean, cap), 1e-12));
      }
      CHECK(poisson_truncated_mean(mean, 1'000'000'000) == rel(mean, 1e-14));
    }
    CHECK(poisson_truncated_mean(0, 5) == 0);
  }

  TEST_CASE("E[min(N, n)] at a large mean: n = mean gives mean (1 - P(N = mean))") {
    // For Poisson N with integer mean m, E|N - m| = 2 m P(N = m), so E[min(N, m)] = m - E[(N - m)+]
    // = m (1 - P(N = m)); P(N = m) from lgamma in long double.
    for (double m : {1e3, 1e6, 1e8}) {
      const long double log_p = -static_cast<long double>(m) +
                                m * std::log(static_cast<long double>(m)) -
                                std::lgamma(static_cast<long double>(m) + 1);
      const double expected = m * (1 - static_cast<double>(std::exp(log_p)));
      INFO("mean ", m);
      CHECK(poisson_truncated_mean(m, static_cast<std::int64_t>(m)) == rel(expected, 1e-11));
    }
  }

  TEST_CASE("fixed window: whole windows, partial windows and additivity") {
    const double lambda = 12, window = 0.5;
    const std::int64_t limit = 5;
    const double per_window = poisson_truncated_mean(lambda * window, limit);
    CHECK(fixed_window_admissions(lambda, window, limit, 0, 10) == rel(20 * per_window, 1e-13));
    CHECK(fixed_window_admissions(lambda, window, limit, 3, 13) == rel(20 * per_window, 1e-12));
    // Within one window, admissions in [kT, kT + u) are min(N(u), n).
    CHECK(fixed_window_admissions(lambda, window, limit, 0, 0.2) ==
          rel(poisson_truncated_mean(lambda * 0.2, limit), 1e-13));
    // From the middle of a window: the admissions of [0.2, 0.5) are those of [0, 0.5) minus
    // those of [0, 0.2), fewer than a fresh window of 0.3 s would admit.
    const double tail_part = fixed_window_admissions(lambda, window, limit, 0.2, 0.5);
    CHECK(tail_part == rel(per_window - poisson_truncated_mean(lambda * 0.2, limit), 1e-12));
    CHECK(tail_part < poisson_truncated_mean(lambda * 0.3, limit));
    const double a = fixed_window_admissions(lambda, window, limit, 0.7, 3.3);
    const double b = fixed_window_admissions(lambda, window, limit, 3.3, 7.9);
    CHECK(a + b == rel(fixed_window_admissions(lambda, window, limit, 0.7, 7.9), 1e-12));
    CHECK(fixed_window_admitted_fraction(lambda, window, limit) ==
          rel(per_window / (lambda * window), 1e-14));
    CHECK_THROWS_AS(fixed_window_admissions(lambda, window, 0, 0, 1), std::invalid_argument);
    CHECK_THROWS_AS(fixed_window_admissions(lambda, 0, limit, 0, 1), std::invalid_argument);
    CHECK_THROWS_AS(fixed_window_admissions(lambda, window, limit, 2, 1), std::invalid_argument);
  }

  TEST_CASE("token bucket: one token of room admits r (1 - e^(-lambda/r))") {
    for (double lambda : {0.5, 10.0, 90.0, 400.0}) {
      const auto m = token_bucket(lambda, 100, 1);
      INFO("lambda ", lambda);
      CHECK(m.admitted_rate == rel(-100 * std::expm1(-lambda / 100), 1e-12));
      CHECK(m.rejection_probability == rel(1 - m.admitted_rate / lambda, 1e-12));
      CHECK(m.lost_token_rate == rel(100 - m.admitted_rate, 1e-12));
    }
  }

  TEST_CASE("token bucket: the cut-equation chain against a dense solve of the level chain") {
    for (double per_token : {0.3, 0.9, 1.0, 1.11, 3.0}) {
      for (int burst : {1, 2, 5, 20, 60}) {
        const double r = 50;
        const double lambda = per_token * r;
        INFO("lambda / r ", per_token, " burst ", burst);
        const auto m = token_bucket(lambda, r, burst);
        CHECK(m.admitted_rate == rel(token_bucket_dense(lambda, r, burst), 1e-10));
        CHECK(m.admitted_rate <= std::min(lambda, r));
      }
    }
  }

  TEST_CASE("token bucket: limits, monotony in the burst and large buckets") {
    // Far below the token rate with room to spare, nearly everything passes; far above, the
    // bucket passes (nearly) one request per token.
    CHECK(token_bucket(10, 100, 50).admitted_rate == rel(10, 1e-12));
    CHECK(token_bucket(5000, 100, 50).admitted_rate == rel(100, 1e-12));
    double previous = 0;
    for (std::int64_t burst : {1, 2, 4, 16, 64, 256}) {
      const double admitted = token_bucket(95, 100, burst).admitted_rate;
      INFO("burst ", burst);
      CHECK(admitted > previous);
      CHECK(admitted < 95);
      previous = admitted;
    }
    // Beyond, the rejections left are below double precision.
    CHECK(token_bucket(95, 100, 4096).admitted_rate == rel(95, 1e-14));
    CHECK(token_bucket(95, 100, 100000).admitted_rate == rel(95, 1e-14));
    // Overloaded with a large bucket: the unnormalized chain grows by orders of magnitude per
    // state and must be rescaled; the result stays finite and at the token rate.
    const auto heavy = token_bucket(5000, 100, 200000);
    CHECK(std::isfinite(heavy.admitted_rate));
    CHECK(heavy.admitted_rate == rel(100, 1e-12));
    // Slightly overloaded: the token rate minus the tokens lost while the bucket is full, which
    // a bucket of 10^5 makes vanishingly rare.
    CHECK(token_bucket(101, 100, 100000).admitted_rate == rel(100, 1e-12));
    CHECK_FALSE(embedded_chain_feasible(300, 10));
    CHECK_FALSE(embedded_chain_feasible(1, 100'000'000));
    CHECK_THROWS_AS(token_bucket(1, 1, 100'000'000), std::domain_error);
    CHECK_THROWS_AS(token_bucket(1, 1, 0), std::invalid_argument);
  }

  TEST_CASE("M/G/1/K embedded chain with geometric arrivals per service is M/M/1/K") {
    // With exponential service of rate mu, the number of Poisson arrivals in one service is
    // geometric: a_k = mu / (lambda + mu) (lambda / (lambda + mu))^k.
    for (double lambda : {0.3, 0.9, 1.0, 2.5}) {
      for (int capacity : {1, 2, 7, 30}) {
        const double mu = 1;
        std::vector<double> geometric;
        const double q = lambda / (lambda + mu);
        for (double p = mu / (lambda + mu); p > 1e-30; p *= q) geometric.push_back(p);
        const auto m = mg1k_embedded(lambda, 1 / mu, geometric, capacity);
        const auto exact = mmck(lambda, mu, 1, capacity);
        INFO("lambda ", lambda, " K ", capacity);
        CHECK(m.blocking == doctest::Approx(exact.blocking).epsilon(1e-12));
        CHECK(m.throughput == rel(exact.throughput, 1e-12));
        CHECK(m.utilization == rel(exact.utilization, 1e-12));
        CHECK(m.L == rel(exact.L, 1e-12));
        CHECK(m.Lq == doctest::Approx(exact.Lq).epsilon(1e-12));
        CHECK(m.W == rel(exact.W, 1e-12));
        CHECK(m.Wq == doctest::Approx(exact.Wq).epsilon(1e-12));
        CHECK(m.p_wait == doctest::Approx(exact.p_wait).epsilon(1e-12));
      }
    }
  }

  TEST_CASE("M/D/1/K: loss system, dense solve, and the M/D/1 limit") {
    // K = 1: a request is admitted only into an empty system, like Erlang B with one server:
    // blocking rho / (1 + rho) whatever the service distribution.
    for (double rho : {0.2, 1.0, 4.0}) {
      const auto m = md1k(rho, 1, 1);
      CHECK(m.blocking == rel(rho / (1 + rho), 1e-12));
      CHECK(m.L == rel(rho / (1 + rho), 1e-12));
      CHECK(m.p_wait == 0);
    }
    for (double rho : {0.5, 0.9, 1.0, 1.3, 3.0}) {
      for (int capacity : {2, 3, 6, 25}) {
        const auto m = md1k(rho * 10, 10, capacity);
        const auto [blocking, L] = md1k_dense(rho * 10, 10, capacity);
        INFO("rho ", rho, " K ", capacity);
        CHECK(m.blocking == doctest::Approx(blocking).epsilon(1e-11));
        CHECK(m.L == rel(L, 1e-10));
        // Little's law and flow balance hold by construction; check they were wired right.
        CHECK(m.L == rel(m.throughput * m.W, 1e-12));
        CHECK(m.utilization == rel(m.throughput / 10, 1e-12));
        CHECK(m.Wq == rel(m.W - 0.1, 1e-12));
      }
    }
    // A large room and rho < 1: the M/D/1 queue (Pollaczek-Khinchine with scv 0).
    const auto big = md1k(0.8, 1, 400);
    const auto pk = mg1(0.8, 1, 0);
    CHECK(big.blocking < 1e-14);
    CHECK(big.L == rel(pk.L, 1e-10));
    CHECK(big.W == rel(pk.W, 1e-10));
    CHECK(big.p_wait == rel(pk.p_wait, 1e-10));
    // Heavily overloaded: the server never idles, so the throughput is mu.
    CHECK(md1k(30, 10, 200).throughput == rel(10, 1e-12));
  }
}
