// Numerical robustness: the confidence-interval diagnostic fires on a queue near saturation and
// on heavy-tailed service, not on a well-behaved queue; horizons whose clock step is coarse next
// to the scenario's times are rejected or warned about.

#include <doctest/doctest.h>

#include <string>

#include "models/workflows/experiment.hpp"
#include "models/workflows/report.hpp"
#include "tests/models/scenario_builder.hpp"

using namespace capsim::testing;
using capsim::models::IntervalDiagnostic;
using capsim::models::Json;

namespace {

// M/G/1 with arrival rate `rate` and mean-1 service: 10 replications of 20000 s.
capsim::models::RunResult run_single_server(double rate, Json service) {
  const auto scenario = capsim::testing::scenario(
      Json::array({source("in", Json{{"dist", "exponential"}, {"rate", rate}}, "q"),
                   station("q", 1, std::move(service), "out"), sink("out")}),
      20000, 2000, 10, 11);
  return capsim::models::run_experiment(scenario, 2);
}

std::string report(const capsim::models::RunResult& result) {
  const IntervalDiagnostic& d = result.diagnostic;
  return "relative half-width " + std::to_string(d.relative_half_width) + ", lag1 " +
         std::to_string(d.batch_lag1) + ", largest z " + std::to_string(d.largest_batch_z);
}

}  // namespace

TEST_SUITE("numerical") {
  TEST_CASE("interval diagnostic: quiet on M/M/1 at rho 0.5") {
    const auto result = run_single_server(0.5, distribution("exponential", 1));
    INFO(report(result));
    CHECK(result.diagnostic.reliable());
    CHECK(result.diagnostic.relative_half_width < IntervalDiagnostic::kMaxRelativeHalfWidth / 4);
    CHECK(result.diagnostic.batch_lag1 < IntervalDiagnostic::kHighBatchLag1 / 2);
    CHECK(result.diagnostic.largest_batch_z < IntervalDiagnostic::kHighBatchZ);
  }

  TEST_CASE("interval diagnostic: fires on M/M/1 at rho 0.999 (correlated batch means)") {
    const auto result = run_single_server(0.999, distribution("exponential", 1));
    INFO(report(result));
    CHECK(!result.diagnostic.reliable());
    CHECK(result.diagnostic.relative_half_width > IntervalDiagnostic::kMaxRelativeHalfWidth);
    CHECK(result.diagnostic.batch_lag1 > IntervalDiagnostic::kHighBatchLag1);
    REQUIRE(result.diagnostic.warnings.size() == 1);
    CHECK(result.diagnostic.warnings.front().find("lag-1 autocorrelation") != std::string::npos);
  }

  TEST_CASE("interval diagnostic: fires on Pareto alpha 1.1 service at rho 0.5") {
    const auto result =
        run_single_server(0.5, Json{{"dist", "pareto"}, {"alpha", 1.1}, {"mean", 1}});
    INFO(report(result));
    CHECK(!result.diagnostic.reliable());
    CHECK(result.diagnostic.relative_half_width > IntervalDiagnostic::kMaxRelativeHalfWidth);
    CHECK(result.diagnostic.largest_batch_z > IntervalDiagnostic::kHighBatchZ);
    REQUIRE(result.diagnostic.warnings.size() == 1);
    CHECK(result.diagnostic.warnings.front().find("heavy-tailed") != std::string::npos);
  }

  TEST_CASE("interval diagnostic: in the table and the JSON") {
    const auto scenario = capsim::testing::scenario(
        Json::array({source("in", Json{{"dist", "exponential"}, {"rate", 0.999}}, "q"),
                     station("q", 1, distribution("exponential", 1), "out"), sink("out")}),
        20000, 2000, 10, 11);
    const auto result = capsim::models::run_experiment(scenario, 2);
    CHECK(capsim::models::format_table(scenario, result)
              .find("\nwarning: confidence intervals "
                    "unreliable") != std::string::npos);
    const Json json = capsim::models::to_json(scenario, result);
    CHECK(json["interval_diagnostic"]["reliable"] == false);
    CHECK(json["interval_diagnostic"]["warnings"].size() == 1);
  }

  TEST_CASE("time resolution: a coarse clock step is an error - a fine one a warning") {
    auto with = [](double duration, double mean) {
      return Json{{"duration", duration},
                  {"warmup", 0},
                  {"nodes", Json::array({source("in", distribution("exponential", 10 * mean), "q"),
                                         station("q", 1, distribution("exponential", mean), "out"),
                                         sink("out")})}};
    };
    // Ten years with millisecond service: steps of 6e-8 s, 6e-5 of the mean.
    const auto years = capsim::models::parse_scenario(with(3.2e8, 0.001), "f.json");
    REQUIRE(years.warnings.size() == 1);
    CHECK(years.warnings[0] ==
          "f.json: a clock step of 5.96e-08 s at the end of the run (t = 3.2e+08 s), 6e-05 of "
          "the smallest mean time (0.001 s at /nodes/1/service): delays below 2.98e-08 s round "
          "to 0 and then run in the order they were scheduled");
    CHECK(capsim::models::parse_scenario(with(3.2e8, 1), "f.json").warnings.empty());
    CHECK_THROWS_WITH_AS(
        capsim::models::parse_scenario(with(1e15, 1), "f.json"),
        "f.json: /duration: found a clock step of 0.125 s at the end of the run (t = 1e+15 s), "
        "0.12 of the smallest mean time (1 s at /nodes/1/service), expected a step below 0.001 "
        "of it: a shorter duration or warm-up, or times in a larger unit",
        capsim::models::InputError);
  }
}
