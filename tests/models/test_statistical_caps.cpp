// The caps that the statistical tests put on their intervals can fail. For each kind of
// standard error they derive (a birth-death chain, the work of a compound Poisson stream, busy
// cycles, Bernoulli trials, independent windows), a run whose replications are noisier than the
// model says is caught by the cap alone, while its mean still sits within the (wider) interval:
// doctored to 4 times the spread, or simply 16 times shorter than the cap assumes. The same run
// unchanged is within its caps. A standard error derived too large (a cap too loose) would let
// the shorter run through.
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenario_builder.hpp"
#include "sim/analytic/estimator_variance.hpp"
#include "sim/analytic/queueing.hpp"
#include "sim/analytic/rate_limit.hpp"
#include "tests/support/approx.hpp"
#include "tests/support/statistical_checks.hpp"

using namespace capsim;
using namespace capsim::testing;

namespace {

constexpr int kReplications = 20;

// One estimate and the variance rate of its standard error (variance about rate / duration).
struct Expected {
  std::size_t node;
  std::string metric;
  double theory;
  double variance_rate;
};

struct Family {
  std::string name;
  Json nodes;
  double duration;
  std::vector<Expected> expected;
};

Json exponential_station(const std::string& name, int servers, double mean,
                         std::optional<int> capacity = std::nullopt) {
  Json node = station(name, servers, distribution("exponential", mean), "out");
  if (capacity) node["capacity"] = *capacity;
  return node;
}

Family mm1() {
  const auto m = analytic::mm1(0.8, 1);
  const auto v = analytic::mmck_estimator_variances(0.8, 1, 1, std::nullopt);
  return {"M/M/1 at rho 0.8: the birth-death chain",
          {source("in", distribution("exponential", 1.25), "s"), exponential_station("s", 1, 1),
           sink("out")},
          20000,
          {{1, "throughput", m.throughput, v.throughput},
           {1, "utilization", m.utilization, v.utilization},
           {1, "L", m.L, v.L},
           {1, "W", m.W, v.W},
           {1, "Wq", m.Wq, v.Wq},
           {1, "p_wait", m.p_wait, v.p_wait}}};
}

Family mm38() {
  const auto m = analytic::mmck(4.5, 1, 3, 8);
  const auto v = analytic::mmck_estimator_variances(4.5, 1, 3, 8);
  return {"M/M/3/8 overloaded: arrivals turned away in the chain",
          {source("in", distribution("exponential", 1 / 4.5), "s"),
           exponential_station("s", 3, 1, 8), sink("out")},
          4000,
          {{1, "rejection_ratio", m.blocking, v.blocking}, {1, "L", m.L, v.L}}};
}

Family md1() {
  const auto m = analytic::mg1(0.8, 1, 0);
  return {"M/D/1: the work of a compound Poisson stream, busy cycles",
          {source("in", distribution("exponential", 1.25), "s"),
           station("s", 1, distribution("deterministic", 1), "out"), sink("out")},
          20000,
          {{1, "utilization", m.utilization,
            analytic::lossless_station_variances(0.8, 1, 1, 0, 1).utilization},
           {1, "p_wait", m.p_wait, analytic::mg1_p_wait_variance(0.8, 1, 0)}}};
}

Family weighted_split() {
  // Per request, a trial: share.a has variance (2/3)(1/3) / (12 T) = (2/9) / 12 per second.
  return {"weighted random split: Bernoulli trials and a Poisson stream",
          {source("in", distribution("exponential", 1 / 12.0), "lb"),
           Json{{"name", "lb"},
                {"type", "balancer"},
                {"policy", "weighted_random"},
                {"weights", {2, 1}},
                {"to", {"a", "b"}}},
           exponential_station("a", 1, 0.1), exponential_station("b", 1, 0.2), sink("out")},
          4000,
          {{1, "share.a", 2 / 3.0, 2 / 9.0 / 12}, {2, "throughput", 8, 8}}};
}

Family fixed_window() {
  const auto v = analytic::fixed_window_variances(12, 1, 10);
  const double admitted = analytic::fixed_window_admissions(12, 1, 10, 100, 100 + 8000) / 8000;
  return {"fixed window: independent windows",
          {source("in", distribution("exponential", 1 / 12.0), "lim"),
           Json{{"name", "lim"},
                {"type", "limiter"},
                {"algorithm", "fixed_window"},
                {"limit", 10},
                {"window", 1},
                {"to", {"ok", "no"}}},
           sink("ok"), sink("no")},
          8000,
          {{1, "throughput", admitted, v.throughput},
           {1, "rejection_ratio", 1 - admitted / 12, v.rejection_ratio}}};
}

models::RunResult run(const Family& family, double duration) {
  return models::run_experiment(scenario(family.nodes, duration, 100, kReplications, 5), 2);
}

// Moves every replication's value of `x` `factor` times as far from their mean: the variance
// grows by factor^2, the mean stays.
void inflate(models::RunResult& result, const Expected& x, double factor) {
  const std::vector<double> values = models::per_replication(result, x.node, x.metric);
  double mean = 0;
  for (double value : values) mean += value / static_cast<double>(values.size());
  for (std::size_t r = 0; r < values.size(); ++r) {
    for (auto& m : result.replications[r].nodes[x.node].values) {
      if (m.name == x.metric) m.value = mean + factor * (values[r] - mean);
    }
  }
}

Verdict verdict(const models::RunResult& result, const Expected& x, double duration) {
  const sim::Estimate e = estimate_of(result, x.node, x.metric);
  return judge(e, x.theory, half_width_cap(asymptotic(x.variance_rate, duration), e.replications),
               0);
}

}  // namespace

TEST_SUITE("statistical") {
  TEST_CASE(
      "the cap from a standard error: t_{R-1,0.9995} sqrt(chi2_{R-1,1-1e-4} / (R-1)) / "
      "sqrt(R)") {
    // scipy.stats: t.ppf(0.9995, 9) sqrt(chi2.ppf(0.9999, 9) / 9) / sqrt(10) = 2.92639535885.
    CHECK(half_width_cap(StandardError{1}, 10) == rel(2.9263953588506553, 1e-9));
    CHECK(half_width_cap(StandardError{2}, 20) == rel(2 * 1.4198208770901277, 1e-9));
    CHECK(half_width_cap(DetectionGoal{0.04}, -5) == rel(0.1, 1e-15));
    CHECK(poisson_rate(4, 100).per_replication == rel(0.2, 1e-15));
    CHECK(poisson_count(9).per_replication == rel(3, 1e-15));
    CHECK(bernoulli_fraction(0.2, 100).per_replication == rel(0.04, 1e-15));
  }

  TEST_CASE("within the derived caps; 4x the spread, doctored or from a 16x shorter run, is not") {
    for (const Family& family : {mm1(), mm38(), md1(), weighted_split(), fixed_window()}) {
      CAPTURE(family.name);
      const models::RunResult honest_run = run(family, family.duration);
      const models::RunResult shorter_run = run(family, family.duration / 16);
      for (const Expected& x : family.expected) {
        CAPTURE(x.metric);
        const Verdict honest = verdict(honest_run, x, family.duration);
        INFO("half-width ", honest.estimate.half_width, " cap ", honest.cap, " mean ",
             honest.estimate.mean, " theory ", x.theory);
        CHECK(honest.agrees);
        CHECK(honest.tight);
        // Under the model s / sigma > 0.41 but with probability 1e-5 (chi-squared, 19 df), so
        // four times the spread exceeds the cap's 1.635 sigma.
        models::RunResult doctored = honest_run;
        inflate(doctored, x, 4);
        const Verdict noisy = verdict(doctored, x, family.duration);
        CHECK(noisy.agrees);       // the wider interval still holds the theory value ...
        CHECK_FALSE(noisy.tight);  // ... and only the cap tells
        const Verdict shorter = verdict(shorter_run, x, family.duration);
        INFO("shorter run: half-width ", shorter.estimate.half_width);
        CHECK_FALSE(shorter.tight);
      }
    }
  }
}
