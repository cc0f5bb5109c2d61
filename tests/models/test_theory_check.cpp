// `validate` picks the right closed form from the scenario, says why when none applies, and
// reports a disagreement when the simulation does not match the theory it claims.
#include <doctest/doctest.h>

#include "models/workflows/validate.hpp"
#include "scenario_builder.hpp"
#include "tests/support/scenario_checks.hpp"

using namespace capsim;
using namespace capsim::testing;

namespace {

models::Validation validate(const Json& nodes, double duration = 5000) {
  const auto s = scenario(nodes, duration, duration / 10, 5, 3);
  return models::validate(s, models::run_experiment(s, 2));
}

// validate's analysis of a node that must have one.
const models::NodeTheory& required_theory_of(const models::Validation& v, const std::string& node) {
  const models::NodeTheory* theory = theory_of(v, node);
  REQUIRE(theory != nullptr);
  return *theory;
}

Json limited(Json station_node, int capacity) {
  station_node["capacity"] = capacity;
  return station_node;
}

}  // namespace

TEST_SUITE("validate") {
  TEST_CASE("merged Poisson sources feed an M/M/c; Burke makes its output Poisson downstream") {
    const auto v =
        validate({source("a", distribution("exponential", 1.0), "s"),
                  source("b", distribution("exponential", 2.0), "s"),
                  station("s", 2, distribution("exponential", 0.5), "t"),
                  station("t", 1, distribution("exponential", 0.4), "out"), sink("out")});
    CHECK(required_theory_of(v, "s").model == "M/M/2");
    CHECK(required_theory_of(v, "s").detail.find("Poisson arrivals at 1.5/s") != std::string::npos);
    CHECK(required_theory_of(v, "t").model == "M/M/1");
    CHECK(has_check(v, "t", "sojourn.p99"));
    CHECK(has_check(v, "end to end", "W"));
    CHECK(v.passed());
  }

  TEST_CASE("no closed form: non-Poisson arrivals, M/G/c, and the output of an M/M/c/K") {
    const auto v = validate(
        {source("steady", distribution("deterministic", 1.0), "d"),
         station("d", 1, distribution("exponential", 0.5), "out"),
         source("poisson", distribution("exponential", 1.0), "k"),
         limited(station("k", 1, distribution("exponential", 0.5), "after_k"), 3),
         station("after_k", 1, distribution("exponential", 0.3), "out"),
         source("more", distribution("exponential", 1.0), "g"),
         station("g", 3, Json{{"dist", "lognormal"}, {"mean", 1.0}, {"cv", 2.0}}, "out"),
         source("lossy", distribution("exponential", 1.0), "gk"),
         limited(station("gk", 1, Json{{"dist", "lognormal"}, {"mean", 0.5}, {"cv", 2.0}}, "out"),
                 4),
         source("calls", distribution("exponential", 1.0), "loss"),
         limited(station("loss", 3, Json{{"dist", "lognormal"}, {"mean", 2.0}, {"cv", 2.0}}, "out"),
                 3),
         sink("out")});
    // A loss system is insensitive: Erlang B whatever the service distribution.
    CHECK(required_theory_of(v, "loss").model == "M/G/3/3 (Erlang B loss system)");
    CHECK(has_check(v, "loss", "rejection_ratio"));
    CHECK(has_check(v, "loss", "L"));
    CHECK(required_theory_of(v, "d").model.empty());
    CHECK(required_theory_of(v, "d").detail ==
          "no closed form: arrivals are not Poisson (source steady has deterministic "
          "inter-arrival times, not exponential)");
    CHECK(required_theory_of(v, "k").model == "M/M/1/3");
    CHECK(required_theory_of(v, "after_k").detail ==
          "no closed form: arrivals are not Poisson (departures of the M/M/1/3 station k are not "
          "Poisson)");
    CHECK(required_theory_of(v, "g").detail ==
          "no closed form for M/G/3 (lognormal service on 3 servers)");
    CHECK(required_theory_of(v, "gk").detail ==
          "no closed form for M/G/1/4 (lognormal service, finite capacity)");
    CHECK_FALSE(has_check(v, "d", "L"));
    CHECK_FALSE(has_check(v, "end to end", "W"));  // not every station has a product form
    CHECK(has_check(v, "d", "Little's law"));      // Little's law holds regardless
    CHECK(has_check(v, "g", "flow balance"));
    CHECK(v.passed());
  }

  TEST_CASE("an unstable station gets a warning and no theory values") {
    const auto v = validate({source("in", distribution("exponential", 0.5), "s"),
                             station("s", 1, distribution("exponential", 0.6), "out"), sink("out")},
                            500);
    // The theory's warning, then the run's: its intervals are unreliable.
    REQUIRE(v.warnings.size() == 2);
    CHECK(v.warnings[0].find("station s is unstable") != std::string::npos);
    CHECK(v.warnings[0].find("rho = 1.2 >= 1") != std::string::npos);
    CHECK(v.warnings[1].find("confidence intervals unreliable") != std::string::npos);
    CHECK_FALSE(has_check(v, "s", "L"));
    CHECK_FALSE(has_check(v, "s", "W"));
  }

  TEST_CASE("a simulation that does not match the claimed model is reported as disagreeing") {
    // Simulate service with mean 0.5, then check against a scenario that claims mean 0.55:
    // a 10% error in the service rate must not pass.
    const Json simulated = {source("in", distribution("exponential", 1.0), "s"),
                            station("s", 1, distribution("exponential", 0.5), "out"), sink("out")};
    Json claimed = simulated;
    claimed[1]["service"]["mean"] = 0.55;
    const auto s = scenario(simulated, 20000, 1000, 5, 3);
    const auto result = models::run_experiment(s, 2);
    CHECK(models::validate(s, result).passed());
    const auto wrong = models::validate(scenario(claimed, 20000, 1000, 5, 3), result);
    CHECK_FALSE(wrong.passed());
    const auto disagreeing = std::count_if(wrong.checks.begin(), wrong.checks.end(),
                                           [](const auto& c) { return !c.agrees; });
    CHECK(disagreeing >= 5);  // utilization, L, W, Wq, percentiles all move with the rate
  }

  TEST_CASE("the Bonferroni level makes all checks hold together at 95%") {
    const auto v =
        validate({source("in", distribution("exponential", 1.0), "s"),
                  station("s", 1, distribution("exponential", 0.5), "out"), sink("out")});
    const double checks_with_intervals =
        static_cast<double>(std::count_if(v.checks.begin(), v.checks.end(), [](const auto& c) {
          return c.metric != "flow balance";
        }));
    CHECK(v.check_confidence == doctest::Approx(1 - 0.05 / checks_with_intervals));
  }
}
