// Simulation against closed forms. Each check asserts |estimate - theory| <= the half-width of a
// 99.9% Student-t interval over the replications AND that this half-width is small (a stated
// fraction of the theory value), so a test cannot pass because its interval is loose.
// Percentile checks add the histogram's stated resolution (0.39% of the value).
#include <doctest/doctest.h>

#include "scenario_builder.hpp"
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

// Node index 1 is the station in every scenario built below.
void check(const Case& c, const std::string& metric, double theory, double max_relative_width,
           bool percentile = false) {
  check_estimate(c.result, 1, metric, theory, max_relative_width,
                 percentile ? histogram_resolution(theory) : 0);
}

Json mmck_nodes(double lambda, double mu, int servers, std::optional<int> capacity,
                const std::string& service = "exponential") {
  Json station_node = station("station", servers, distribution(service, 1 / mu), "out");
  if (capacity) station_node["capacity"] = *capacity;
  return {source("in", distribution("exponential", 1 / lambda), "station"), station_node,
          sink("out")};
}

// A loss system M/G/c/c: Erlang B blocking, and W the mean service time (within `w_width`).
void check_erlang_b(const Case& c, double lambda, double mu, int servers, double w_width) {
  const auto m = analytic::mmcc(lambda, mu, servers);
  check(c, "rejection_ratio", m.blocking, 0.03);
  check(c, "throughput", m.throughput, 0.01);
  check(c, "utilization", m.utilization, 0.01);
  check(c, "L", m.L, 0.01);
  check(c, "W", m.W, w_width);
}

void check_mmc(const Case& c, double lambda, double mu, int servers, double mean_width,
               double tail_width) {
  const auto m = analytic::mmc(lambda, mu, servers);
  check(c, "throughput", m.throughput, mean_width);
  check(c, "utilization", m.utilization, mean_width);
  check(c, "L", m.L, mean_width);
  check(c, "Lq", m.Lq, 2 * mean_width);
  check(c, "W", m.W, mean_width);
  check(c, "Wq", m.Wq, 2 * mean_width);
  check(c, "p_wait", m.p_wait, mean_width);
  for (double q : {0.5, 0.9, 0.99}) {
    const std::string suffix = q == 0.5 ? "p50" : q == 0.9 ? "p90" : "p99";
    check(c, "sojourn." + suffix, analytic::mmc_sojourn_quantile(lambda, mu, servers, q),
          tail_width, true);
    const double wait = analytic::mmc_wait_quantile(lambda, mu, servers, q);
    if (wait > 0) check(c, "wait." + suffix, wait, tail_width, true);
  }
}

}  // namespace

TEST_SUITE("statistical") {
  TEST_CASE("M/M/1 at rho 0.5") {
    const auto c = simulate(mmck_nodes(0.5, 1, 1, std::nullopt), 1000000, 2000, 10, 101);
    check_mmc(c, 0.5, 1, 1, 0.02, 0.03);
  }

  TEST_CASE("M/M/1 at rho 0.9") {
    // 20 replications: rho 0.9 has long busy periods, so each replication's mean is noisy.
    const auto c = simulate(mmck_nodes(0.9, 1, 1, std::nullopt), 2000000, 20000, 20, 102);
    check_mmc(c, 0.9, 1, 1, 0.03, 0.05);
  }

  TEST_CASE("M/M/2 at rho 0.8 (Erlang C)") {
    const auto c = simulate(mmck_nodes(1.6, 1, 2, std::nullopt), 500000, 5000, 10, 103);
    check_mmc(c, 1.6, 1, 2, 0.03, 0.05);
  }

  TEST_CASE("M/M/16 at rho 0.9 (Erlang C)") {
    const auto c = simulate(mmck_nodes(14.4, 1, 16, std::nullopt), 500000, 2000, 10, 104);
    check_mmc(c, 14.4, 1, 16, 0.03, 0.05);
  }

  TEST_CASE("M/M/3/8 under overload (rho 1.5)") {
    const double lambda = 4.5, mu = 1;
    const auto c = simulate(mmck_nodes(lambda, mu, 3, 8), 100000, 1000, 10, 105);
    const auto m = analytic::mmck(lambda, mu, 3, 8);
    check(c, "throughput", m.throughput, 0.01);
    check(c, "rejection_ratio", m.blocking, 0.02);
    check(c, "utilization", m.utilization, 0.01);
    check(c, "L", m.L, 0.01);
    check(c, "Lq", m.Lq, 0.02);
    check(c, "W", m.W, 0.01);
    check(c, "Wq", m.Wq, 0.02);
    check(c, "p_wait", m.p_wait, 0.01);
  }

  TEST_CASE("M/D/1 at rho 0.8 (Pollaczek-Khinchine with scv 0)") {
    const double lambda = 0.8, mean_service = 1;
    const auto c = simulate(mmck_nodes(lambda, 1 / mean_service, 1, std::nullopt, "deterministic"),
                            500000, 5000, 10, 106);
    const auto m = analytic::mg1(lambda, mean_service, 0);
    check(c, "utilization", m.utilization, 0.01);
    check(c, "L", m.L, 0.03);
    check(c, "Lq", m.Lq, 0.04);
    check(c, "W", m.W, 0.03);
    check(c, "Wq", m.Wq, 0.04);
    check(c, "p_wait", m.p_wait, 0.01);
  }

  TEST_CASE("M/M/10/10 Erlang B loss system at 8 erlangs") {
    const double lambda = 2, mu = 0.25;
    const auto c = simulate(mmck_nodes(lambda, mu, 10, 10), 200000, 2000, 10, 107);
    CHECK(analytic::mmcc(lambda, mu, 10).blocking == doctest::Approx(analytic::erlang_b(10, 8.0)));
    check_erlang_b(c, lambda, mu, 10, 0.01);
  }

  // Erlang B is insensitive to the service distribution: lognormal holding times with cv 2 give
  // the blocking of exponential ones with the same mean.
  TEST_CASE("M/G/10/10 with lognormal service (cv 2) at 8 erlangs is still Erlang B") {
    const double lambda = 2, mu = 0.25;
    Json nodes = mmck_nodes(lambda, mu, 10, 10);
    nodes[1]["service"] = {{"dist", "lognormal"}, {"mean", 1 / mu}, {"cv", 2.0}};
    check_erlang_b(simulate(nodes, 200000, 2000, 10, 108), lambda, mu, 10, 0.02);
  }
}
