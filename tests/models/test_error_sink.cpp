// Error sinks ("outcome": "error"): requests that end at one count as failed end to end, apart
// from successes and rejections. An exact timeline (a fixed window throttling 2 of every 8
// requests), a call retried when it ends at an error sink, a Bernoulli split against its known
// probability (error ratio, and the successes' latency without the failures'), validate's
// end-to-end checks (product form, closed MVA, a limiter's rejection probability) and their
// auditors, and SLOs on the new metrics.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "models/theory/network_theory.hpp"
#include "models/workflows/experiment.hpp"
#include "models/workflows/slo_check.hpp"
#include "models/workflows/validate.hpp"
#include "scenario_builder.hpp"
#include "tests/support/scenario_checks.hpp"
#include "tests/support/statistical_checks.hpp"

using namespace capsim;
using namespace capsim::testing;

namespace {

Json error_sink(const std::string& name) {
  return Json{{"name", name}, {"type", "sink"}, {"outcome", "error"}};
}

Json deterministic(double mean) {
  return distribution("deterministic", mean);
}

// A request every 1/8 s; a fixed window admits 6 per second and throttles the last 2 of each
// window to an error sink; the admitted wait 0.5 s and complete. Every time is exact in binary.
Json throttled_timeline() {
  return {source("in", deterministic(0.125), "limit"),
          {{"name", "limit"},
           {"type", "limiter"},
           {"algorithm", "fixed_window"},
           {"limit", 6},
           {"window", 1},
           {"to", {"wait", "throttled"}}},
          {{"name", "wait"}, {"type", "delay"}, {"delay", deterministic(0.5)}, {"to", "done"}},
          sink("done"),
          error_sink("throttled")};
}

// Poisson arrivals at 1/s; a fifth go straight to an error sink, the rest to an M/M/1 station
// (mean 0.5 s: rho 0.4) and a sink.
Json bernoulli_split() {
  return {{{"name", "users"},
           {"type", "source"},
           {"arrival", distribution("exponential", 1.0)},
           {"to", {{{"node", "server"}, {"p", 0.8}}, {{"node", "errors"}, {"p", 0.2}}}}},
          station("server", 1, distribution("exponential", 0.5), "done"),
          sink("done"),
          error_sink("errors")};
}

constexpr double kErrorProbability = 0.2;
constexpr double kServerW = 0.5 / (1 - 0.8 * 0.5);  // M/M/1: E[S] / (1 - rho)

const models::Check* find_check(const models::Validation& v, const std::string& node,
                                const std::string& metric) {
  for (const auto& c : v.checks) {
    if (c.node == node && c.metric == metric) return &c;
  }
  return nullptr;
}

const models::PlannedCheck* find_planned(const models::TheoryPlan& plan, std::size_t node,
                                         const std::string& metric) {
  for (const auto& c : plan.checks) {
    if (c.node == node && c.metric == metric) return &c;
  }
  return nullptr;
}

}  // namespace

TEST_SUITE("error sinks") {
  TEST_CASE("exact: throttled requests fail end to end and leave the successes' latency alone") {
    const auto s = scenario(throttled_timeline(), 100, 10, 2, 1);
    const auto r = run_once(s);
    const models::Metrics& e = r.system;
    // 8 arrivals a second, the 2 throttled at k + 6/8 and k + 7/8 of each of the 100 windows.
    CHECK(metric(e, "arrivals") == 800);
    CHECK(metric(e, "failed") == 200);
    CHECK(metric(e, "completions") == 600);
    CHECK(metric(e, "rejections") == 0);
    CHECK(metric(e, "rejection_ratio") == 0);
    CHECK(metric(e, "error_ratio") == 0.25);
    CHECK(metric(e, "goodput") == 6);
    CHECK(metric(e, "throughput") == 6);  // successes only
    CHECK(metric(e, "W") == 0.5);
    CHECK(metric(e, "sojourn.p50") == doctest::Approx(0.5).epsilon(1e-9));
    CHECK(metric(e, "sojourn.p99.9") == doctest::Approx(0.5).epsilon(1e-9));
    CHECK(metric(e, "W_failed") == 0);
    CHECK(metric(e, "sojourn_failed.p99.9") == 0);
    // Every departure, failed ones included: Little's law L = 3 = 8/s x 0.375 s.
    CHECK(metric(e, "departure_rate") == 8);
    CHECK(metric(e, "W_departures") == 0.375);
    CHECK(metric(e, "L") == doctest::Approx(3).epsilon(1e-12));
    CHECK(metric(e, "arrivals") + metric(e, "in_system.start") ==
          metric(e, "completions") + metric(e, "failed") + metric(e, "in_system.end"));
    // The error sink reports its own requests as any sink does.
    CHECK(metric(r.nodes[4], "throughput") == 2);
    CHECK(metric(r.nodes[4], "W") == 0);
  }

  TEST_CASE("without an error sink the end-to-end metrics are those of completions alone") {
    Json nodes = throttled_timeline();
    nodes[4] = sink("throttled");
    const auto r = run_once(scenario(nodes, 100, 10, 2, 1));
    CHECK(metric(r.system, "completions") == 800);
    CHECK(metric(r.system, "W") == 0.375);
    for (const std::string name : {"failed", "error_ratio", "goodput", "W_failed"}) {
      CAPTURE(name);
      CHECK(std::isnan(r.system.value(name)));
    }
  }

  TEST_CASE("a call that ends at an error sink failed: the caller retries it") {
    // A caller a second; each call takes 0.2 s and ends at the error sink "bad", so the caller
    // retries after 0.1 s, twice, and fails 0.8 s after it arrived.
    const Json nodes = {
        source("in", deterministic(1), "client"),
        {{"name", "client"},
         {"type", "retry"},
         {"attempts", 3},
         {"backoff", {{"kind", "fixed"}, {"base", 0.1}}},
         {"to", {"service", "done", "failed"}}},
        {{"name", "service"}, {"type", "delay"}, {"delay", deterministic(0.2)}, {"to", "bad"}},
        error_sink("bad"),
        sink("done"),
        error_sink("failed")};
    const auto r = run_once(scenario(nodes, 100, 10, 2, 1));
    const models::Metrics& client = r.nodes[1];
    CHECK(metric(client, "successes") == 0);
    CHECK(metric(client, "failures") == 100);
    CHECK(metric(client, "attempts") == 300);
    CHECK(metric(client, "rejected_attempts") == 300);
    // End to end only the callers count: their calls are the client's own requests.
    CHECK(metric(r.system, "arrivals") == 100);
    CHECK(metric(r.system, "failed") == 100);
    CHECK(metric(r.system, "completions") == 0);
    CHECK(metric(r.system, "error_ratio") == 1);
    CHECK(metric(r.system, "W_failed") == doctest::Approx(0.8).epsilon(1e-12));
    // The ratio is over departures: a window ending at 110.9 s sees 100 arrivals but 101
    // failures (the caller of t = 10 fails at 10.8), and no more failures than departures.
    const auto longer = run_once(scenario(nodes, 100.9, 10, 2, 1));
    CHECK(metric(longer.system, "arrivals") == 100);
    CHECK(metric(longer.system, "failed") == 101);
    CHECK(metric(longer.system, "error_ratio") == 1);
  }

  TEST_CASE("bad outcome: one line with file, pointer, value found and the choices") {
    const Json misspelt = {source("in", distribution("exponential", 1.0), "out"),
                           {{"name", "out"}, {"type", "sink"}, {"outcome", "eror"}}};
    CHECK(message_of_nodes(misspelt) ==
          R"(bad.json: /nodes/1/outcome: found "eror", expected the outcome of the requests )"
          R"(that reach the sink: success or error (did you mean "error"?))");
    const Json number = {source("in", distribution("exponential", 1.0), "out"),
                         {{"name", "out"}, {"type", "sink"}, {"outcome", 1}}};
    CHECK(message_of_nodes(number) ==
          "bad.json: /nodes/1/outcome: found 1, expected the outcome of the requests that reach "
          "the sink: success or error");
    const Json success = {source("in", distribution("exponential", 1.0), "out"),
                          {{"name", "out"}, {"type", "sink"}, {"outcome", "success"}}};
    CHECK(message_of_nodes(success) == "(no error)");
  }

  TEST_CASE("SLOs on the error ratio and goodput, which only scenarios with error sinks report") {
    const Json slos = {{{"metric", "error_ratio"}, {"max", 0.25}},
                       {{"metric", "goodput"}, {"min", 0.9}}};
    Json document = {{"seed", 3},         {"duration", 5000},           {"warmup", 100},
                     {"replications", 4}, {"nodes", bernoulli_split()}, {"slo", slos}};
    const auto s = models::parse_scenario(document, "s.json");
    const auto outcomes = models::evaluate_slos(s.slos, models::run_experiment(s, 2));
    CHECK(outcomes[0].verdict == models::Verdict::met);       // 0.2 << 0.25
    CHECK(outcomes[1].verdict == models::Verdict::violated);  // 0.8/s << 0.9/s
    document["nodes"][3] = sink("errors");
    CHECK(error_message([&] { models::parse_scenario(document, "s.json"); })
              .starts_with(R"(s.json: /slo/0/metric: found "error_ratio", expected a metric )"
                           R"(end to end reports: )"));
  }
}

TEST_SUITE("statistical") {
  TEST_CASE("a Bernoulli split to an error sink: error ratio p, successes' latency alone") {
    const auto s = scenario(bernoulli_split(), 20000, 1000, 20, 11);
    const auto result = models::run_experiment(s, 2);
    const std::size_t end_to_end = s.nodes.size();
    // Each request fails independently with p, over about 20000 departures per replication; the
    // successes leave an M/M/1 whose departures are Poisson (Burke).
    check_estimate(result, end_to_end, "error_ratio", kErrorProbability,
                   bernoulli_fraction(kErrorProbability, 20000));
    check_estimate(result, end_to_end, "goodput", 1 - kErrorProbability,
                   poisson_rate(1 - kErrorProbability, 20000));
    // The successes' W is the station's; with the failures' zeros mixed in it would be 0.8 of it.
    check_estimate(result, end_to_end, "W", kServerW, DetectionGoal{0.06});
    check_estimate(result, end_to_end, "sojourn.p50", kServerW * std::log(2.0), DetectionGoal{0.06},
                   histogram_resolution(kServerW * std::log(2.0)));
    check_estimate(result, end_to_end, "W_departures", (1 - kErrorProbability) * kServerW,
                   DetectionGoal{0.06});
    for (const auto& replication : result.replications) {
      CHECK(replication.system.value("W_failed") == 0);
      CHECK(replication.system.value("sojourn_failed.p99.9") == 0);
      CHECK(replication.system.value("goodput") == replication.system.value("throughput"));
    }
    // validate: product form, so the error ratio is the routing probability, and only all
    // departures together have W = L / lambda.
    const auto v = models::validate(s, result);
    CHECK(v.passed());
    const auto* ratio = find_check(v, "end to end", "error_ratio");
    REQUIRE(ratio != nullptr);
    CHECK(ratio->reference == doctest::Approx(kErrorProbability));
    const auto* departures = find_check(v, "end to end", "W_departures");
    REQUIRE(departures != nullptr);
    CHECK(departures->reference == doctest::Approx((1 - kErrorProbability) * kServerW));
    CHECK(find_check(v, "end to end", "W") == nullptr);
    CHECK(find_check(v, "end to end", "flow balance")->agrees);
  }

  TEST_CASE("validate's end-to-end auditors with failures can fail") {
    const auto s = scenario(bernoulli_split(), 20000, 1000, 20, 11);
    const auto run = models::run_experiment(s, 2);
    // validate after `doctor` has edited the end-to-end metrics of every replication.
    auto validate_doctored = [&](const auto& doctor) {
      std::vector<models::ReplicationResult> replications = run.replications;
      for (std::size_t r = 0; r < replications.size(); ++r) {
        for (auto& m : replications[r].system.values) doctor(m, r);
      }
      return models::validate(s, models::summarize(s, std::move(replications), run.confidence));
    };
    const auto control = validate_doctored([](models::Metric&, std::size_t) {});
    CHECK(control.passed());
    // One failure too many in one replication breaks flow balance.
    const auto unbalanced = validate_doctored([](models::Metric& m, std::size_t r) {
      if (r == 3 && m.name == "failed") m.value += 1;
    });
    CHECK_FALSE(find_check(unbalanced, "end to end", "flow balance")->agrees);
    CHECK_FALSE(unbalanced.passed());
    // An error ratio 3 tolerances off theory disagrees.
    const auto* ratio = find_check(control, "end to end", "error_ratio");
    REQUIRE(ratio != nullptr);
    const double factor = 1 + 3 * ratio->tolerance / ratio->reference;
    const auto off = validate_doctored([&](models::Metric& m, std::size_t) {
      if (m.name == "error_ratio") m.value *= factor;
    });
    CAPTURE(factor);
    CHECK_FALSE(find_check(off, "end to end", "error_ratio")->agrees);
    CHECK_FALSE(off.passed());
  }

  TEST_CASE("closed loop with an error sink: MVA gives the successes' throughput and the split") {
    // 10 users thinking 1 s on average, one M/M/1 of mean 0.05 s; a tenth of the replies fail.
    const Json nodes = {
        {{"name", "users"},
         {"type", "clients"},
         {"users", 10},
         {"think", distribution("exponential", 1.0)},
         {"to", "api"}},
        {{"name", "api"},
         {"type", "station"},
         {"service", distribution("exponential", 0.05)},
         {"to", {{{"node", "done"}, {"p", 0.9}}, {{"node", "errors"}, {"p", 0.1}}}}},
        sink("done"),
        error_sink("errors")};
    const auto s = scenario(nodes, 5000, 200, 10, 4);
    const auto v = models::validate(s, models::run_experiment(s, 2));
    CHECK(v.passed());
    const auto* ratio = find_check(v, "end to end", "error_ratio");
    REQUIRE(ratio != nullptr);
    CHECK(ratio->reference == doctest::Approx(0.1));
    const auto* throughput = find_check(v, "end to end", "throughput");
    const auto* clients = find_check(v, "users", "throughput");
    REQUIRE(throughput != nullptr);
    REQUIRE(clients != nullptr);
    CHECK(throughput->reference == doctest::Approx(0.9 * clients->reference));
    CHECK(find_check(v, "end to end", "W") == nullptr);
  }
}

TEST_SUITE("error sinks") {
  TEST_CASE("validate checks a limiter's rejection probability end to end only when it is one") {
    // `upstream` feeds the bucket; the bucket, api, done and throttled follow it.
    auto nodes_with = [](Json upstream) {
      Json nodes = std::move(upstream);
      nodes.push_back({{"name", "bucket"},
                       {"type", "limiter"},
                       {"algorithm", "token_bucket"},
                       {"rate", 90},
                       {"burst", 20},
                       {"to", {"api", "throttled"}}});
      nodes.push_back(station("api", 8, distribution("exponential", 0.07), "done"));
      nodes.push_back(sink("done"));
      nodes.push_back(error_sink("throttled"));
      return nodes;
    };
    const Json poisson = distribution("exponential", 0.01);
    // Every request meets the bucket once: its rejection probability is the error ratio.
    {
      const auto s =
          scenario(nodes_with(Json::array({source("clients", poisson, "bucket")})), 100, 10, 2, 1);
      const auto plan = models::plan_theory(s);
      const auto* limiter = find_planned(plan, 1, "rejection_ratio");
      const auto* ratio = find_planned(plan, s.nodes.size(), "error_ratio");
      REQUIRE(limiter != nullptr);
      REQUIRE(ratio != nullptr);
      CHECK(ratio->theory == limiter->theory);
    }
    // Throttled to a sink of outcome success: nothing fails.
    {
      Json nodes = nodes_with(Json::array({source("clients", poisson, "bucket")}));
      nodes[4] = sink("throttled");
      const auto plan = models::plan_theory(scenario(nodes, 100, 10, 2, 1));
      CHECK(find_planned(plan, 5, "error_ratio") == nullptr);
    }
    // Half the requests go around the bucket.
    {
      const Json around = {
          {"name", "clients"},
          {"type", "source"},
          {"arrival", poisson},
          {"to", {{{"node", "bucket"}, {"p", 0.5}}, {{"node", "api"}, {"p", 0.5}}}}};
      const auto plan =
          models::plan_theory(scenario(nodes_with(Json::array({around})), 100, 10, 2, 1));
      CHECK(find_planned(plan, 1, "rejection_ratio") != nullptr);
      CHECK(find_planned(plan, 5, "error_ratio") == nullptr);
    }
    // The bucket meets an async node's messages, at the callers' rate, but a failed message is
    // not a failed request.
    {
      Json upstream = {source("clients", poisson, "queue"),
                       {{"name", "queue"}, {"type", "async"}, {"to", {"acked", "bucket"}}},
                       sink("acked")};
      const auto s = scenario(nodes_with(upstream), 100, 10, 2, 1);
      const auto plan = models::plan_theory(s);
      CHECK(find_planned(plan, 3, "rejection_ratio") != nullptr);
      CHECK(find_planned(plan, s.nodes.size(), "error_ratio") == nullptr);
    }
  }
}
