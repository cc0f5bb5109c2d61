// The auditors of `validate` can fail: fed a result doctored to break Little's law, flow balance
// or a closed form, each says DISAGREES (agrees == false), while the same result undoctored
// passes. A tolerance widened or a comparison dropped would let the doctored result through.
#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/workflows/experiment.hpp"
#include "models/workflows/validate.hpp"
#include "scenario_builder.hpp"

using namespace capsim;
using namespace capsim::testing;

namespace {

constexpr std::uint64_t kSeed = 1;

// M/M/1 at rho 0.5, 16 replications of 20,000 s: tight intervals in a fraction of a second.
models::Scenario mm1() {
  return scenario({source("users", distribution("exponential", 1.0), "server"),
                   station("server", 1, distribution("exponential", 0.5), "done"), sink("done")},
                  20000, 1000, 16, kSeed);
}

using Doctor = std::function<void(models::ReplicationResult&, std::size_t replication)>;

// Scales `metric` of node `node` (scenario index) in every replication.
Doctor scale(std::size_t node, const std::string& metric, double factor) {
  return [=](models::ReplicationResult& r, std::size_t) {
    for (auto& m : r.nodes[node].values) {
      if (m.name == metric) m.value *= factor;
    }
  };
}

// validate of the run of mm1() after `doctor` has edited its replications.
models::Validation validate_doctored(const Doctor& doctor) {
  const models::Scenario s = mm1();
  const models::RunResult run = models::run_experiment(s, 2);
  std::vector<models::ReplicationResult> replications = run.replications;
  for (std::size_t r = 0; r < replications.size(); ++r) doctor(replications[r], r);
  return models::validate(s, models::summarize(s, std::move(replications), run.confidence));
}

// The check of `metric` at `node`; fails the test if validate made none.
const models::Check& check_of(const models::Validation& v, const std::string& node,
                              const std::string& metric) {
  for (const auto& c : v.checks) {
    if (c.node == node && c.metric == metric) return c;
  }
  FAIL("no check of " << metric << " at " << node);
  throw 0;
}

// The simulated mean of a metric of the station, as validate's check of it shows it.
double metric_mean(const models::Validation& v, const std::string& metric) {
  return check_of(v, "server", metric).simulated.mean;
}

}  // namespace

// A doctored estimate is moved by kMiss tolerances of its check: well outside, whatever the seed.
constexpr double kMiss = 3;

TEST_SUITE("validate") {
  TEST_CASE("undoctored, the M/M/1 run agrees everywhere, with tight tolerances") {
    // The control of the cases below. The tolerances must be small, or a widened one (a mutant)
    // would let every doctored result through: at most 5% of the value, where the Bonferroni-
    // corrected Student-t half-widths of these 16 replications are about 2%.
    const auto v = validate_doctored([](models::ReplicationResult&, std::size_t) {});
    CHECK(v.passed());
    for (const std::string metric : {"L", "W", "utilization"}) {
      const auto& c = check_of(v, "server", metric);
      CAPTURE(metric);
      CHECK(c.tolerance < 0.05 * c.reference);
    }
    const auto& little = check_of(v, "server", "Little's law");
    CHECK(little.agrees);
    CHECK(little.tolerance < 0.01 * metric_mean(v, "L"));
    CHECK(check_of(v, "server", "flow balance").agrees);
  }

  TEST_CASE("Little's law: an L a few tolerances too high DISAGREES") {
    const auto control = validate_doctored([](models::ReplicationResult&, std::size_t) {});
    const double factor =
        1 + kMiss * check_of(control, "server", "Little's law").tolerance / metric_mean(control, "L");
    const auto v = validate_doctored(scale(1, "L", factor));
    const auto& little = check_of(v, "server", "Little's law");
    CAPTURE(factor);
    CAPTURE(little.simulated.mean);
    CAPTURE(little.tolerance);
    CHECK_FALSE(little.agrees);
    CHECK_FALSE(v.passed());
  }

  TEST_CASE("flow balance: one completion too many in one replication DISAGREES") {
    const auto v = validate_doctored([](models::ReplicationResult& r, std::size_t replication) {
      if (replication != 3) return;
      for (auto& m : r.nodes[1].values) {
        if (m.name == "completions") m.value += 1;
      }
    });
    CHECK_FALSE(check_of(v, "server", "flow balance").agrees);
    CHECK_FALSE(v.passed());
  }

  TEST_CASE("closed forms: a W, an L or a utilization a few tolerances off theory DISAGREES") {
    const auto control = validate_doctored([](models::ReplicationResult&, std::size_t) {});
    for (const std::string metric : {"W", "L", "utilization"}) {
      const auto& c = check_of(control, "server", metric);
      const double factor = 1 + kMiss * c.tolerance / c.reference;
      const auto v = validate_doctored(scale(1, metric, factor));
      CAPTURE(metric);
      CAPTURE(factor);
      CHECK_FALSE(check_of(v, "server", metric).agrees);
      CHECK_FALSE(v.passed());
    }
  }
}
