// Replications to a relative precision (Law & Kelton's sequential procedure): it stops at the
// precision asked, its intervals still cover theory, the budget holds, the thread count does
// not matter, and an SLO too close to call with few replications is decided.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>

#include "models/workflows/report.hpp"
#include "models/workflows/sequential.hpp"
#include "models/workflows/slo_check.hpp"
#include "sim/sequential.hpp"
#include "tests/support/scenario_checks.hpp"

using namespace capsim;
using namespace capsim::testing;

namespace {

const std::atomic<bool> never{false};

// M/M/1 with arrivals at `rate` and mean service 1 s.
Json mm1_nodes(double rate) {
  return Json::array({source("users", Json{{"dist", "exponential"}, {"rate", rate}}, "web"),
                      station("web", 1, distribution("exponential", 1.0), "done"), sink("done")});
}

models::PrecisionGoal goal(const models::Scenario& s, double precision, std::size_t budget,
                           std::vector<std::string> metrics) {
  models::PrecisionGoal g{precision, budget, {}};
  for (const auto& metric : metrics) g.targets.push_back(models::parse_target(s, metric, "test"));
  return g;
}

bool covers(const sim::Estimate& e, double theory) {
  return std::fabs(e.mean - theory) <= e.half_width;
}

}  // namespace

TEST_SUITE("statistical") {
  TEST_CASE("to a precision M/M/1 stops within it and its intervals cover theory at 95%") {
    // M/M/1 at rho 0.5: W = 1 / (mu - lambda) = 2 s, throughput = lambda = 0.5/s. Each of 100
    // seeds runs to a relative error of 2% (half-widths <= 1.96%). Were the stopping rule to
    // stop on a lucky variance, coverage would fall below 95%: 87 covering runs of 100 is the
    // smallest count with P(X <= count - 1) >= 0.001 for X ~ Binomial(100, 0.95).
    constexpr int kSeeds = 100;
    constexpr int kMinCovered = 87;
    int w_covered = 0, throughput_covered = 0;
    for (int seed = 1; seed <= kSeeds; ++seed) {
      const auto s = scenario(mm1_nodes(0.5), 2000, 200, 2, static_cast<std::uint64_t>(seed));
      const auto result =
          models::run_to_precision(s, goal(s, 0.02, 1000, {"W", "throughput"}), 2, never);
      REQUIRE(result.precision);
      const models::PrecisionReport& report = *result.precision;
      INFO("seed ", seed, " replications ", result.replications.size());
      CHECK(report.met());
      CHECK(result.warnings.empty());
      CHECK(report.start == models::kMinStartReplications);
      CHECK(result.replications.size() == report.used());
      const sim::Estimate& w = *result.system.find("W");
      const sim::Estimate& throughput = *result.system.find("throughput");
      CHECK(w.replications == result.replications.size());
      CHECK(sim::relative_half_width(w) <= sim::adjusted_relative_error(0.02));
      CHECK(sim::relative_half_width(throughput) <= sim::adjusted_relative_error(0.02));
      w_covered += covers(w, 2.0);
      throughput_covered += covers(throughput, 0.5);
    }
    INFO("W covered ", w_covered, " of ", kSeeds, ", throughput ", throughput_covered);
    CHECK(w_covered >= kMinCovered);
    CHECK(throughput_covered >= kMinCovered);
  }
}

TEST_SUITE("sequential") {
  TEST_CASE("the budget holds: a warning names the metric and the precision reached and needed") {
    const auto s = scenario(mm1_nodes(0.5), 500, 50, 2, 3);
    const auto result = models::run_to_precision(s, goal(s, 0.002, 12, {"W"}), 2, never);
    CHECK(result.replications.size() == 12);
    const models::PrecisionReport& report = *result.precision;
    CHECK_FALSE(report.met());
    CHECK(report.rounds == std::vector<std::size_t>{10, 12});
    REQUIRE(report.reached.size() == 1);
    const models::TargetPrecision& w = report.reached[0];
    CHECK(w.relative_half_width > sim::adjusted_relative_error(0.002));
    CHECK(w.replications_needed > 12);
    REQUIRE(result.warnings.size() == 1);
    const std::string& warning = result.warnings[0];
    INFO(warning);
    CHECK(warning.starts_with("precision not reached: W at end to end has a 95% half-width of "));
    CHECK(warning.find("after 12 replications (the budget, --max-replications), above the 0.2% "
                       "asked; about " +
                       std::to_string(w.replications_needed) + " replications would reach it") !=
          std::string::npos);
  }

  TEST_CASE("rounds at most double from the scenario's replications but at least 10") {
    const auto s = scenario(mm1_nodes(0.5), 500, 50, 12, 3);
    CHECK(models::starting_replications(s) == 12);
    CHECK(models::starting_replications(scenario(mm1_nodes(0.5), 500, 50, 3, 3)) == 10);
    const auto result = models::run_to_precision(s, goal(s, 0.03, 1000, {"W"}), 2, never);
    const auto& rounds = result.precision->rounds;
    REQUIRE(rounds.size() > 2);
    CHECK(rounds.front() == 12);
    for (std::size_t i = 1; i < rounds.size(); ++i) {
      CHECK(rounds[i] > rounds[i - 1]);
      CHECK(rounds[i] <= 2 * rounds[i - 1]);
    }
    // Each round but the last fell short; the last did not.
    CHECK(result.precision->met());
  }

  TEST_CASE("exact metrics count as met and unmeasurable ones stop the run with a warning") {
    const auto s = scenario(mm1_nodes(0.5), 500, 50, 2, 3);
    // No rejections anywhere: every replication agrees on 0.
    const auto exact =
        models::run_to_precision(s, goal(s, 0.01, 100, {"rejection_ratio"}), 2, never);
    CHECK(exact.replications.size() == 10);
    CHECK(exact.precision->met());
    CHECK(exact.precision->reached[0].relative_half_width == 0);
    // One request per 1000 s over 5 s: most replications complete none, so W has no value there
    // and no number of replications gives it an interval.
    const auto rare = scenario(mm1_nodes(0.001), 5, 0, 2, 3);
    const auto result = models::run_to_precision(rare, goal(rare, 0.01, 100, {"W"}), 2, never);
    CHECK(result.replications.size() == 10);
    CHECK(std::isnan(result.precision->reached[0].relative_half_width));
    REQUIRE(result.warnings.size() == 1);
    CHECK(result.warnings[0].starts_with("precision of W at end to end unknown"));
  }

  TEST_CASE("the result does not depend on the thread count") {
    const auto s = scenario(mm1_nodes(0.7), 300, 30, 2, 11);
    const auto g = goal(s, 0.02, 200, {"W", "sojourn.p99", "web:utilization"});
    const std::string one =
        models::dump_document(models::to_json(s, models::run_to_precision(s, g, 1, never)));
    const auto three = models::run_to_precision(s, g, 3, never);
    CHECK(three.precision->rounds.size() > 1);
    CHECK(one == models::dump_document(models::to_json(s, three)));
  }

  TEST_CASE("an SLO too close to call with 2 short replications is decided at a precision") {
    // 400/s into 11 servers of mean 20 ms: utilization 8/11 = 0.727 against a 0.75 maximum.
    Json nodes =
        Json::array({source("users", Json{{"dist", "exponential"}, {"rate", 400}}, "api"),
                     station("api", 11, distribution("exponential", 0.02), "done"), sink("done")});
    Json document = {
        {"seed", 3},
        {"duration", 10},
        {"warmup", 5},
        {"replications", 2},
        {"nodes", nodes},
        {"slo", Json::array({{{"node", "api"}, {"metric", "utilization"}, {"max", 0.75}}})}};
    const models::Scenario s = models::parse_scenario(document, "<test>");
    const auto fixed = models::evaluate_slos(s.slos, models::run_experiment(s, 2));
    CHECK(fixed[0].verdict == models::Verdict::inconclusive);
    // A 1% relative error puts the half-width below 0.0073, a third of the 0.023 margin.
    const auto targets = models::slo_targets(s);
    REQUIRE(targets.size() == 1);
    const auto precise =
        models::run_to_precision(s, models::PrecisionGoal{0.01, 1000, targets}, 2, never);
    CHECK(precise.precision->met());
    const auto decided = models::evaluate_slos(s.slos, precise);
    INFO("replications ", precise.replications.size(), " estimate ", decided[0].estimate.mean,
         " +- ", decided[0].estimate.half_width);
    CHECK(decided[0].verdict == models::Verdict::met);
  }

  TEST_CASE("targets: the SLO metrics once each and the defaults and named ones checked") {
    Json document = {{"duration", 100},
                     {"nodes", mm1_nodes(0.5)},
                     {"slo", Json::array({{{"node", "web"}, {"metric", "W"}, {"max", 5}},
                                          {{"node", "web"}, {"metric", "W"}, {"min", 0.1}},
                                          {{"metric", "sojourn.p99"}, {"max", 20}}})}};
    const models::Scenario s = models::parse_scenario(document, "<test>");
    const auto slo = models::slo_targets(s);
    REQUIRE(slo.size() == 2);
    CHECK(slo[0].describe() == "W at web");
    CHECK(slo[0].node_index == 1);
    CHECK(slo[1].describe() == "sojourn.p99 at end to end");
    CHECK(slo[1].node_index == 3);
    std::vector<std::string> defaults;
    for (const auto& t : models::default_targets(s)) defaults.push_back(t.describe());
    CHECK(defaults == std::vector<std::string>{"throughput at end to end", "W at end to end",
                                               "sojourn.p50 at end to end",
                                               "sojourn.p99 at end to end"});
    CHECK(models::parse_target(s, "web:utilization", "--precision-metric").node_index == 1);
    CHECK(models::parse_target(s, "end to end:W", "--precision-metric").node_index == 3);
    CHECK(error_message([&] { models::parse_target(s, "wbe:W", "--precision-metric"); }) ==
          "--precision-metric wbe:W: found node \"wbe\", expected a node name (users, web or "
          "done) or \"end to end\" (did you mean \"web\"?)");
    CHECK(error_message([&] { models::parse_target(s, "web:Ww", "--precision-metric"); })
              .starts_with("--precision-metric web:Ww: found metric \"Ww\", expected a metric web "
                           "reports: arrivals, "));
  }
}
