// Simulation against closed forms. Each check asserts |estimate - theory| <= the half-width of a
// 99.9% Student-t interval over the replications AND that this half-width is within its cap, so
// a test cannot pass because its interval is loose (tests/support/statistical_checks.hpp). The
// cap comes from the estimator's standard error where theory gives it: the birth-death chain of
// M/M/c/K (sim/analytic/estimator_variance.hpp) for every mean metric of M/M/c and M/M/c/K, and
// for M/D/1 and M/G/c/c what holds whatever the service distribution (the work of a compound
// Poisson stream, busy cycles, independent holding times). Elsewhere it is a detection goal.
// Percentile checks add the histogram's stated resolution (0.39% of the value).
#include <doctest/doctest.h>

#include <optional>

#include "scenario_builder.hpp"
#include "sim/analytic/estimator_variance.hpp"
#include "sim/analytic/queueing.hpp"
#include "tests/support/statistical_checks.hpp"

using namespace capsim;
using namespace capsim::testing;

namespace {

struct Case {
  models::Scenario scenario;
  models::RunResult result;
};

Case simulate(Json nodes, double duration, double warmup, int replications, std::uint64_t seed) {
  Case c{scenario(std::move(nodes), duration, warmup, replications, seed), {}};
  c.result = models::run_experiment(c.scenario, 2);
  return c;
}

// Node index 1 is the station in every scenario built below. `cap` is a StandardError or a
// DetectionGoal.
template <typename Cap>
void check(const Case& c, const std::string& metric, double theory, Cap cap,
           bool percentile = false) {
  check_estimate(c.result, 1, metric, theory, cap, percentile ? histogram_resolution(theory) : 0);
}

// The standard error of an estimate over the run's window with this variance rate.
StandardError error(const Case& c, double variance_rate) {
  return asymptotic(variance_rate, c.scenario.duration);
}

Json mmck_nodes(double lambda, double mu, int servers, std::optional<int> capacity,
                const std::string& service = "exponential") {
  Json station_node = station("station", servers, distribution(service, 1 / mu), "out");
  if (capacity) station_node["capacity"] = *capacity;
  return {source("in", distribution("exponential", 1 / lambda), "station"), station_node,
          sink("out")};
}

// Every mean metric of M/M/c/K (M/M/c with no capacity), capped by its standard error.
void check_mmck_means(const Case& c, const analytic::StationMetrics& m,
                      const analytic::StationEstimatorVariances& v, bool finite) {
  check(c, "throughput", m.throughput, error(c, v.throughput));
  check(c, "utilization", m.utilization, error(c, v.utilization));
  check(c, "L", m.L, error(c, v.L));
  check(c, "Lq", m.Lq, error(c, v.Lq));
  check(c, "W", m.W, error(c, v.W));
  check(c, "Wq", m.Wq, error(c, v.Wq));
  check(c, "p_wait", m.p_wait, error(c, v.p_wait));
  if (finite) check(c, "rejection_ratio", m.blocking, error(c, v.blocking));
}

// A loss system M/G/c/c: Erlang B blocking, and W the mean service time. The sojourns are the
// holding times of the admitted requests, independent of whether they were admitted: W is a
// mean of independent draws, variance E[S]^2 scv / (throughput T), for any distribution. The
// other metrics depend on the service distribution beyond its mean in their spread: with
// exponential holding times the birth-death chain gives it, otherwise they are detection goals
// (3% of blocking, 2% of the rest).
void check_erlang_b(const Case& c, double lambda, double mu, int servers, double service_scv) {
  const auto m = analytic::mmcc(lambda, mu, servers);
  check(c, "W", m.W, error(c, service_scv / (mu * mu * m.throughput)));
  if (service_scv == 1) {
    const auto v = analytic::mmck_estimator_variances(lambda, mu, servers, servers);
    check(c, "rejection_ratio", m.blocking, error(c, v.blocking));
    check(c, "throughput", m.throughput, error(c, v.throughput));
    check(c, "utilization", m.utilization, error(c, v.utilization));
    check(c, "L", m.L, error(c, v.L));
    return;
  }
  check(c, "rejection_ratio", m.blocking, DetectionGoal{0.06});
  check(c, "throughput", m.throughput, DetectionGoal{0.02});
  check(c, "utilization", m.utilization, DetectionGoal{0.02});
  check(c, "L", m.L, DetectionGoal{0.02});
}

// M/M/c: the means by their standard errors; the percentiles have no theory for the spread of
// a sample quantile of correlated sojourns, so they are detection goals (`tail_goal`).
void check_mmc(const Case& c, double lambda, double mu, int servers, DetectionGoal tail_goal) {
  check_mmck_means(c, analytic::mmc(lambda, mu, servers),
                   analytic::mmck_estimator_variances(lambda, mu, servers, std::nullopt), false);
  for (double q : {0.5, 0.9, 0.99}) {
    const std::string suffix = q == 0.5 ? "p50" : q == 0.9 ? "p90" : "p99";
    check(c, "sojourn." + suffix, analytic::mmc_sojourn_quantile(lambda, mu, servers, q), tail_goal,
          true);
    const double wait = analytic::mmc_wait_quantile(lambda, mu, servers, q);
    if (wait > 0) check(c, "wait." + suffix, wait, tail_goal, true);
  }
}

}  // namespace

TEST_SUITE("statistical") {
  TEST_CASE("M/M/1 at rho 0.5") {
    const auto c = simulate(mmck_nodes(0.5, 1, 1, std::nullopt), 1000000, 2000, 10, 101);
    check_mmc(c, 0.5, 1, 1, DetectionGoal{0.06});
  }

  TEST_CASE("M/M/1 at rho 0.9") {
    // 20 replications: rho 0.9 has long busy periods, so each replication's mean is noisy.
    const auto c = simulate(mmck_nodes(0.9, 1, 1, std::nullopt), 2000000, 20000, 20, 102);
    check_mmc(c, 0.9, 1, 1, DetectionGoal{0.1});
  }

  TEST_CASE("M/M/2 at rho 0.8 (Erlang C)") {
    const auto c = simulate(mmck_nodes(1.6, 1, 2, std::nullopt), 500000, 5000, 10, 103);
    check_mmc(c, 1.6, 1, 2, DetectionGoal{0.1});
  }

  TEST_CASE("M/M/16 at rho 0.9 (Erlang C)") {
    const auto c = simulate(mmck_nodes(14.4, 1, 16, std::nullopt), 500000, 2000, 10, 104);
    check_mmc(c, 14.4, 1, 16, DetectionGoal{0.1});
  }

  TEST_CASE("M/M/3/8 under overload (rho 1.5)") {
    const double lambda = 4.5, mu = 1;
    const auto c = simulate(mmck_nodes(lambda, mu, 3, 8), 100000, 1000, 10, 105);
    check_mmck_means(c, analytic::mmck(lambda, mu, 3, 8),
                     analytic::mmck_estimator_variances(lambda, mu, 3, 8), true);
  }

  TEST_CASE("M/D/1 at rho 0.8 (Pollaczek-Khinchine with scv 0)") {
    const double lambda = 0.8, mean_service = 1;
    const auto c = simulate(mmck_nodes(lambda, 1 / mean_service, 1, std::nullopt, "deterministic"),
                            500000, 5000, 10, 106);
    const auto m = analytic::mg1(lambda, mean_service, 0);
    // Busy time is the work that arrived (compound Poisson), and those that do not wait start
    // the busy periods: both hold for any service distribution.
    const auto lossless = analytic::lossless_station_variances(lambda, 1, mean_service, 0, 1);
    check(c, "utilization", m.utilization, error(c, lossless.utilization));
    check(c, "p_wait", m.p_wait, error(c, analytic::mg1_p_wait_variance(lambda, mean_service, 0)));
    // M/D/1's number present is not a birth-death chain: detection goals.
    check(c, "L", m.L, DetectionGoal{0.06});
    check(c, "Lq", m.Lq, DetectionGoal{0.08});
    check(c, "W", m.W, DetectionGoal{0.06});
    check(c, "Wq", m.Wq, DetectionGoal{0.08});
  }

  TEST_CASE("M/M/10/10 Erlang B loss system at 8 erlangs") {
    const double lambda = 2, mu = 0.25;
    const auto c = simulate(mmck_nodes(lambda, mu, 10, 10), 200000, 2000, 10, 107);
    CHECK(analytic::mmcc(lambda, mu, 10).blocking == doctest::Approx(analytic::erlang_b(10, 8.0)));
    check_erlang_b(c, lambda, mu, 10, 1);
  }

  // Erlang B is insensitive to the service distribution: lognormal holding times with cv 2 give
  // the blocking of exponential ones with the same mean.
  TEST_CASE("M/G/10/10 with lognormal service (cv 2) at 8 erlangs is still Erlang B") {
    const double lambda = 2, mu = 0.25;
    Json nodes = mmck_nodes(lambda, mu, 10, 10);
    nodes[1]["service"] = {{"dist", "lognormal"}, {"mean", 1 / mu}, {"cv", 2.0}};
    check_erlang_b(simulate(nodes, 200000, 2000, 10, 108), lambda, mu, 10, 4);
  }
}
