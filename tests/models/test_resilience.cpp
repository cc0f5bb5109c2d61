// Retry and breaker nodes: exact timelines of timeouts, retries, backoff and budgets; the backoff
// and budget policies and the breaker's state machine on their own; the timeout ratio of a
// single call against the M/M/1 sojourn tail; the retry storm's reproducibility and its
// containment by a budget; and bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "models/nodes/circuit_breaker.hpp"
#include "models/nodes/network.hpp"
#include "models/nodes/retry.hpp"
#include "models/scenario/replication.hpp"
#include "scenario_builder.hpp"
#include "sim/rng.hpp"
#include "tests/support/scenario_checks.hpp"
#include "tests/support/statistical_checks.hpp"

using namespace capsim;
using namespace capsim::testing;
using models::Replication;
using models::ReplicationResult;

namespace {

Json retry(const std::string& name, Json to, Json fields) {
  Json node = {{"name", name}, {"type", "retry"}};
  for (auto& [key, value] : fields.items()) node[key] = value;
  node["to"] = std::move(to);
  return node;
}

Json breaker(const std::string& name, Json to, Json fields) {
  Json node = {{"name", name}, {"type", "breaker"}};
  for (auto& [key, value] : fields.items()) node[key] = value;
  node["to"] = std::move(to);
  return node;
}

Json backoff(const std::string& kind, double base, std::optional<double> max = std::nullopt,
             const std::string& jitter = "none") {
  Json value = {{"kind", kind}, {"base", base}, {"jitter", jitter}};
  if (max) value["max"] = *max;
  return value;
}

// Callers every `interarrival` s -> client (retry or breaker) -> api (deterministic service of
// `service` s on `servers` servers) -> replies; successful callers to done, failed ones to errors.
Json client_and_api(double interarrival, Json client, int servers, double service) {
  return {source("callers", distribution("deterministic", interarrival), "client"),
          std::move(client),
          station("api", servers, distribution("deterministic", service), "replies"),
          sink("replies"),
          sink("done"),
          sink("errors")};
}

const Json kTargets = Json::array({"api", "done", "errors"});

}  // namespace

TEST_CASE("retry: a reply within the timeout is a success") {
  // One caller at 20 (the next would come at 40, after the window); service 0.5 s < timeout 1 s.
  const auto r = run_once(
      client_and_api(20, retry("client", kTargets, {{"timeout", 1}, {"attempts", 3}}), 1, 0.5), 39);
  const auto& client = r.nodes[1];
  CHECK(metric(client, "arrivals") == 1);
  CHECK(metric(client, "attempts") == 1);
  CHECK(metric(client, "successes") == 1);
  CHECK(metric(client, "timeouts") == 0);
  CHECK(metric(client, "W") == 0.5);
  CHECK(metric(client, "W_success") == 0.5);
  CHECK(metric(r.nodes[4], "completions") == 1);  // done
  CHECK(metric(r.nodes[3], "completions") == 1);  // replies: the call itself
  CHECK(metric(r.system, "W") == 0.5);
  CHECK(metric(r.system, "arrivals") == 1);  // calls are internal: not counted end to end
}

TEST_CASE("retry: timed-out calls are retried after a fixed backoff and keep the server busy") {
  // Caller at 20, service 3 s, timeout 1 s, fixed backoff 0.5 s, 3 attempts:
  //   call 1 sent 20, served 20-23, times out 21; call 2 sent 21.5, waits, served 23-26, times
  //   out 22.5; call 3 sent 23, served 26-29, times out 24: the caller fails at 24 (W = 4).
  // Every call is served in full anyway and its late reply discarded: 9 s of wasted work.
  const auto r = run_once(
      client_and_api(20,
                     retry("client", kTargets,
                           {{"timeout", 1}, {"attempts", 3}, {"backoff", backoff("fixed", 0.5)}}),
                     1, 3),
      39);
  const auto& client = r.nodes[1];
  const auto& api = r.nodes[2];
  CHECK(metric(client, "requests") == 1);
  CHECK(metric(client, "attempts") == 3);
  CHECK(metric(client, "retries") == 2);
  CHECK(metric(client, "timeouts") == 3);
  CHECK(metric(client, "timeout_ratio") == 1);
  CHECK(metric(client, "successes") == 0);
  CHECK(metric(client, "failures") == 1);
  CHECK(metric(client, "completions") == 1);
  CHECK(metric(client, "W") == 4);
  CHECK(metric(client, "L") == 4.0 / 39);
  CHECK(metric(client, "late_replies") == 3);
  CHECK(metric(client, "offered_load") == 3.0 / 39);
  CHECK(metric(client, "goodput") == 0);
  CHECK(metric(api, "completions") == 3);
  CHECK(metric(api, "Wq") == (0 + 1.5 + 3) / 3);
  CHECK(metric(api, "goodput") == 0);
  CHECK(metric(api, "wasted_utilization") == 9.0 / 39);
  CHECK(metric(r.nodes[5], "completions") == 1);  // errors
  CHECK(metric(r.system, "completions") == 1);
}

TEST_CASE("retry: exponential backoff doubles the wait up to its cap") {
  // Service 100 s on 4 servers: every call times out after 1 s. Waits 1, 2, 4 (no cap) or
  // 1, 2, 3 (cap 3) between the four attempts.
  const auto uncapped =
      run_once(client_and_api(
                   20,
                   retry("client", kTargets,
                         {{"timeout", 1}, {"attempts", 4}, {"backoff", backoff("exponential", 1)}}),
                   4, 100),
               39);
  CHECK(metric(uncapped.nodes[1], "W") == 4 * 1 + 1 + 2 + 4);
  CHECK(metric(uncapped.nodes[1], "attempts") == 4);
  CHECK(metric(uncapped.nodes[2], "arrivals") == 4);
  const auto capped = run_once(
      client_and_api(
          20,
          retry("client", kTargets,
                {{"timeout", 1}, {"attempts", 4}, {"backoff", backoff("exponential", 1, 3)}}),
          4, 100),
      39);
  CHECK(metric(capped.nodes[1], "W") == 4 * 1 + 1 + 2 + 3);
}

TEST_CASE("retry: a rejected call is retried - a retry sent as a service ends finds room") {
  // Two callers, at 20 (source a) and 21 (source b); the api holds one request (capacity 1) for
  // 5 s. Caller a is served 20-25. Caller b's calls at 21 and 23 are rejected; its third, at 25,
  // arrives just after the service ending at 25 (scheduled earlier) and is served 25-30.
  Json api = station("api", 1, distribution("deterministic", 5), "replies");
  api["capacity"] = 1;
  const Json nodes = {source("a", distribution("deterministic", 20), "client"),
                      source("b", distribution("deterministic", 21), "client"),
                      retry("client", Json::array({"api", "done"}),
                            {{"attempts", 3}, {"backoff", backoff("fixed", 2)}}),
                      api,
                      sink("replies"),
                      sink("done")};
  const auto r = run_once(nodes, 39);
  const auto& client = r.nodes[2];
  CHECK(metric(client, "arrivals") == 2);
  CHECK(metric(client, "successes") == 2);
  CHECK(metric(client, "rejected_attempts") == 2);
  CHECK(metric(client, "retries") == 2);
  CHECK(metric(client, "W") == (5 + 9) / 2.0);
  CHECK(metric(r.nodes[3], "rejections") == 2);
  CHECK(metric(r.system, "rejections") == 0);
}

TEST_CASE("retry: without a failure route a caller that gives up is rejected end to end") {
  const auto r =
      run_once({source("callers", distribution("deterministic", 20), "client"),
                retry("client", Json::array({"api", "done"}), {{"timeout", 1}, {"attempts", 1}}),
                station("api", 1, distribution("deterministic", 3), "replies"), sink("replies"),
                sink("done")},
               39);
  CHECK(metric(r.nodes[1], "failures") == 1);
  CHECK(metric(r.nodes[1], "completions") == 1);  // its call ended, unsuccessfully
  CHECK(metric(r.nodes[1], "rejections") == 0);
  CHECK(metric(r.system, "rejections") == 1);
  CHECK(metric(r.system, "completions") == 0);
}

TEST_CASE("retry: the budget refuses retries beyond its fraction of first attempts") {
  // A caller every second from 1 to 10, each call timing out after 0.5 s; budget 0.5 over 100 s:
  // at 1.5 the budget allows 0.5 retries (refused), at 2.5 one (granted), at 3.5 1.5 (refused,
  // one already taken), at 4.5 two (granted)...: callers 2, 4, 6, 8 and 10 get their retry.
  const auto r = run_once(
      client_and_api(
          1,
          retry("client", kTargets,
                {{"timeout", 0.5}, {"attempts", 2}, {"budget", 0.5}, {"budget_window", 100}}),
          100, 50),
      10.9);
  const auto& client = r.nodes[1];
  CHECK(metric(client, "requests") == 10);
  CHECK(metric(client, "retries") == 5);
  CHECK(metric(client, "budget_exhausted") == 5);
  CHECK(metric(client, "attempts") == 15);
  // Refused at 1.5, 3.5, 5.5, 7.5 and 9.5; the retries of callers 2, 4, 6 and 8 time out too
  // (caller 10's retry is still waiting at the end).
  CHECK(metric(client, "failures") == 9);
  CHECK(metric(client, "in_system.end") == 1);
}

TEST_CASE("backoff: the AWS definitions of fixed and exponential waits and their jitter") {
  using models::Backoff;
  using models::BackoffConfig;
  using models::BackoffKind;
  using models::Jitter;
  const Backoff exponential(BackoffConfig{BackoffKind::exponential, 0.1, 1.0, Jitter::none});
  CHECK(exponential.ceiling(1) == 0.1);
  CHECK(exponential.ceiling(2) == 0.2);
  CHECK(exponential.ceiling(4) == 0.8);
  CHECK(exponential.ceiling(5) == 1.0);
  CHECK(exponential.ceiling(100000) == 1.0);  // no overflow past the cap
  const Backoff fixed(BackoffConfig{BackoffKind::fixed, 0.3});
  CHECK(fixed.ceiling(1) == 0.3);
  CHECK(fixed.ceiling(7) == 0.3);

  sim::Rng rng(5);
  const Backoff full(BackoffConfig{BackoffKind::exponential, 1, 8, Jitter::full});
  const Backoff equal(BackoffConfig{BackoffKind::exponential, 1, 8, Jitter::equal});
  double full_sum = 0, equal_sum = 0;
  constexpr int kDraws = 100000;
  for (int i = 0; i < kDraws; ++i) {
    const double f = full.delay(3, rng);  // ceiling 4
    const double e = equal.delay(3, rng);
    REQUIRE(f > 0);
    REQUIRE(f < 4);
    REQUIRE(e > 2);
    REQUIRE(e < 4);
    full_sum += f;
    equal_sum += e;
  }
  // Means 2 and 3; the standard error of each mean is below 0.004.
  CHECK(full_sum / kDraws == doctest::Approx(2).epsilon(0.01));
  CHECK(equal_sum / kDraws == doctest::Approx(3).epsilon(0.01));
}

TEST_CASE("budget: retries over a sliding window bounded by a fraction of first attempts") {
  models::RetryBudget budget(0.5, 10);
  for (double t : {0.0, 1.0, 2.0, 3.0}) budget.first_attempt(t);
  CHECK(budget.try_retry(3));  // 1 <= 0.5 * 4
  CHECK(budget.try_retry(3));  // 2 <= 2
  CHECK_FALSE(budget.try_retry(3));
  CHECK_FALSE(budget.try_retry(10.5));  // the first attempt at 0 has left the window: 3 > 1.5
  CHECK_FALSE(budget.try_retry(13.5));  // nothing left in the window
  budget.first_attempt(14);
  budget.first_attempt(14);
  CHECK(budget.try_retry(14));  // the retries at 3 have left the window too
  CHECK_FALSE(budget.try_retry(14));
  models::RetryBudget none(0, 10);
  none.first_attempt(0);
  CHECK_FALSE(none.try_retry(0));
}

TEST_CASE("breaker: opens above the failure ratio - probes when half-open - closes on success") {
  using State = models::CircuitBreaker::State;
  models::CircuitBreaker breaker(0.5, 4, 2);
  // Failures F F S F fill the window at 3/4 > 0.5: open.
  for (bool success : {false, false, true}) {
    REQUIRE(breaker.permit());
    breaker.record(breaker.epoch(), success);
  }
  CHECK(breaker.state() == State::closed);
  const std::uint32_t before_opening = breaker.epoch();
  REQUIRE(breaker.permit());
  breaker.record(breaker.epoch(), false);
  CHECK(breaker.state() == State::open);
  CHECK_FALSE(breaker.permit());
  breaker.record(before_opening, false);  // a call let through earlier: ignored
  CHECK(breaker.state() == State::open);

  breaker.half_open();
  CHECK(breaker.permit());
  CHECK(breaker.permit());
  CHECK_FALSE(breaker.permit());  // two probes only
  const std::uint32_t probing = breaker.epoch();
  breaker.record(probing, true);
  CHECK(breaker.state() == State::half_open);
  breaker.record(probing, true);
  CHECK(breaker.state() == State::closed);
  CHECK(breaker.failures_in_window() == 0);

  // Exactly half failing does not exceed 0.5; a probe failure reopens.
  for (bool success : {false, true, false, true}) {
    REQUIRE(breaker.permit());
    breaker.record(breaker.epoch(), success);
  }
  CHECK(breaker.state() == State::closed);
  REQUIRE(breaker.permit());
  breaker.record(breaker.epoch(), false);  // the oldest outcome leaves: T F T F, still 1/2
  CHECK(breaker.state() == State::closed);
  REQUIRE(breaker.permit());
  breaker.record(breaker.epoch(), false);  // F T F F: 3/4
  CHECK(breaker.state() == State::open);
  breaker.half_open();
  REQUIRE(breaker.permit());
  breaker.record(breaker.epoch(), false);
  CHECK(breaker.state() == State::open);
}

TEST_CASE("breaker node: calls rejected downstream open it - then callers go to the fallback") {
  // A caller every 1 s from 1; the api has room for one request and serves it in 1.5 s. Call 1
  // is served 1-2.5; call 2, at 2, is rejected at once (a failure, its caller goes to errors);
  // call 1's success at 2.5 fills the window of 2 with 1 failure: 1/2 > 0.4, the breaker opens
  // for 10 s, and callers 3..12 are short-circuited to errors.
  Json api = station("api", 1, distribution("deterministic", 1.5), "replies");
  api["capacity"] = 1;
  const Json nodes = {
      source("callers", distribution("deterministic", 1), "client"),
      breaker("client", kTargets, {{"failure_ratio", 0.4}, {"window", 2}, {"open_for", 10}}),
      api,
      sink("replies"),
      sink("done"),
      sink("errors")};
  const auto r = run_once(nodes, 12);
  const auto& client = r.nodes[1];
  CHECK(metric(client, "opens") == 1);
  CHECK(metric(client, "attempts") == 2);          // calls at 1 and 2
  CHECK(metric(client, "short_circuited") == 10);  // callers at 3..12
  CHECK(metric(client, "successes") == 1);
  CHECK(metric(client, "failures") == 1);
  CHECK(metric(client, "open_fraction") == (12 - 2.5) / 12);
  CHECK(metric(r.nodes[5], "completions") == 11);  // errors: 1 failed + 10 short-circuited
  // Caller 1 waited 1.5 s, the others not at all (a running mean: not exactly 1.5 / 12).
  CHECK(metric(client, "W") == doctest::Approx(1.5 / 12).epsilon(1e-15));
}

TEST_SUITE("statistical") {
  TEST_CASE("single call with a timeout into M/M/1: timeout ratio = P(sojourn > T)") {
    // lambda 0.8, mu 1: sojourn ~ Exp(0.2); T = 5 s: P(timeout) = e^-1. Abandoned calls are
    // still served, so the station stays an M/M/1 queue.
    const Json nodes = {source("callers", distribution("exponential", 1.25), "client"),
                        retry("client", kTargets, {{"timeout", 5}, {"attempts", 1}}),
                        station("api", 1, distribution("exponential", 1), "replies"),
                        sink("replies"),
                        sink("done"),
                        sink("errors")};
    const auto s = scenario(nodes, 600000, 2000, 10, 311);
    const auto result = models::run_experiment(s, 2);
    const double p = std::exp(-1.0);
    // Successive calls queue behind each other, so whether each times out is no independent
    // trial: no theory for the spread, detection goals of 4%.
    check_estimate(result, 1, "timeout_ratio", p, DetectionGoal{0.04});
    check_estimate(result, 1, "goodput", 0.8 * (1 - p), DetectionGoal{0.04});
    const auto late = models::estimate_metric(result, 1, "late_replies", kConfidence);
    const auto timeouts = models::estimate_metric(result, 1, "timeouts", kConfidence);
    // Every abandoned call is still served: late replies match timeouts up to the window edges.
    CHECK(std::fabs(late.mean - timeouts.mean) <= 10);
    // All of a timed-out call's service is wasted: E[S 1{W + S > T}] with W independent of S,
    // W = 0 with probability 1 - rho, else Exp(theta = mu - lambda); mu = 1, so
    // E[S 1{S <= a}] = 1 - e^-a (1 + a), and integrating over W in closed form with b = 1 - theta:
    // E[S 1{S <= T - W}] = (1 - rho)(1 - e^-T (1 + T))
    //   + rho [(1 - e^-(theta T)) - theta e^-T ((e^(bT) - 1 - T) / b + (e^(bT) - 1) / b^2)].
    const double rho = 0.8, theta = 0.2, b = 0.8, t = 5;
    const double served_in_time =
        (1 - rho) * (1 - std::exp(-t) * (1 + t)) +
        rho * ((1 - std::exp(-theta * t)) -
               theta * std::exp(-t) *
                   ((std::exp(b * t) - 1 - t) / b + (std::exp(b * t) - 1) / (b * b)));
    const double wasted = 0.8 * (1 - served_in_time);
    check_estimate(result, 2, "wasted_utilization", wasted, DetectionGoal{0.04});
  }
}

TEST_CASE("retry storm: identical metrics for the same seed - a budget or a breaker contains it") {
  auto load = [](const std::string& file) {
    models::Json document =
        models::read_scenario_document(std::string(CAPSIM_SOURCE_DIR) + "/scenarios/" + file);
    document["duration"] = 300;
    document["warmup"] = 100;
    document["replications"] = 3;
    return models::parse_scenario(std::move(document), file);
  };
  const auto storm = load("retry_storm.json");
  const auto first = models::run_experiment(storm, 1);
  const auto second = models::run_experiment(storm, 2);
  for (std::size_t r = 0; r < first.replications.size(); ++r) {
    const auto& a = first.replications[r];
    const auto& b = second.replications[r];
    REQUIRE(a.nodes.size() == b.nodes.size());
    for (std::size_t i = 0; i < a.nodes.size(); ++i) {
      REQUIRE(a.nodes[i].values.size() == b.nodes[i].values.size());
      for (std::size_t k = 0; k < a.nodes[i].values.size(); ++k) {
        const double x = a.nodes[i].values[k].value;
        const double y = b.nodes[i].values[k].value;
        CAPTURE(a.nodes[i].values[k].name);
        CHECK(((std::isnan(x) && std::isnan(y)) || x == y));
      }
    }
  }

  // The budget contains the storm: retries stay within 10% of first attempts (plus what the
  // sliding window lets straddle the measurement window's start), and goodput is far higher.
  const auto contained = models::run_experiment(load("retry_storm_budget.json"), 2);
  const std::size_t client = 1;
  for (std::size_t r = 0; r < contained.replications.size(); ++r) {
    const auto& values = contained.replications[r].nodes[client];
    CHECK(metric(values, "retries") <= 0.1 * metric(values, "requests") * (1 + 10.0 / 300) + 1);
  }
  const double storm_goodput = models::estimate_metric(first, client, "goodput", 0.95).mean;
  const double contained_goodput = models::estimate_metric(contained, client, "goodput", 0.95).mean;
  const auto broken = models::run_experiment(load("retry_storm_breaker.json"), 2);
  const double breaker_goodput = models::estimate_metric(broken, client, "goodput", 0.95).mean;
  INFO("goodput in the storm ", storm_goodput, ", with a budget ", contained_goodput,
       ", with a breaker ", breaker_goodput);
  CHECK(storm_goodput < 0.05 * 85);  // the storm: (almost) nothing gets through
  CHECK(contained_goodput > 0.5 * 85);
  CHECK(breaker_goodput > 0.5 * 85);
}

TEST_SUITE("errors") {
  TEST_CASE(
      "bad retry and breaker nodes: one line naming pointer and value found and expectation") {
    const Json callers = source("callers", distribution("deterministic", 1), "client");
    const Json api = station("api", 1, distribution("deterministic", 1), "replies");
    auto with_client = [&](Json client) {
      return Json{callers, std::move(client), api, sink("replies"), sink("done"), sink("errors")};
    };
    struct Case {
      std::string name;
      Json nodes;
      std::string message;
    };
    const std::vector<Case> table = {
        {"a retry loop with no bound", with_client(retry("client", kTargets, {{"timeout", 1}})),
         R"(bad.json: /nodes/1: found neither "attempts" nor "budget", expected a bound on )"
         R"(retries: "attempts" (most calls per request, the first included) or a retry )"
         R"("budget" (a retry loop without either could amplify the load without limit))"},
        {"attempts below 1", with_client(retry("client", kTargets, {{"attempts", 0}})),
         "bad.json: /nodes/1/attempts: found 0, expected an integer in [1, 1000000]"},
        {"timeout zero", with_client(retry("client", kTargets, {{"attempts", 2}, {"timeout", 0}})),
         "bad.json: /nodes/1/timeout: found 0, expected a number in (0, 1e+15]"},
        {"timeout negative",
         with_client(retry("client", kTargets, {{"attempts", 2}, {"timeout", -1}})),
         "bad.json: /nodes/1/timeout: found -1, expected a number in (0, 1e+15]"},
        {"unknown backoff kind",
         with_client(retry("client", kTargets,
                           {{"attempts", 2}, {"backoff", {{"kind", "linear"}, {"base", 1}}}})),
         R"(bad.json: /nodes/1/backoff/kind: found "linear", expected a backoff kind: fixed or )"
         R"(exponential)"},
        {"unknown jitter",
         with_client(retry("client", kTargets,
                           {{"attempts", 2},
                            {"backoff", {{"kind", "fixed"}, {"base", 1}, {"jitter", "fuller"}}}})),
         R"(bad.json: /nodes/1/backoff/jitter: found "fuller", expected a jitter: none, full or )"
         R"(equal (did you mean "full"?))"},
        {"backoff without kind",
         with_client(retry("client", kTargets, {{"attempts", 2}, {"backoff", {{"base", 1}}}})),
         R"(bad.json: /nodes/1/backoff: found no key "kind", expected "fixed" or )"
         R"("exponential" at "kind")"},
        {"backoff negative base",
         with_client(retry("client", kTargets,
                           {{"attempts", 2}, {"backoff", {{"kind", "fixed"}, {"base", -1}}}})),
         "bad.json: /nodes/1/backoff/base: found -1, expected a number in [0, 1e+15]"},
        {"negative budget", with_client(retry("client", kTargets, {{"budget", -0.1}})),
         "bad.json: /nodes/1/budget: found -0.1, expected a number in [0, 1000000]"},
        {"budget window without budget",
         with_client(retry("client", kTargets, {{"attempts", 2}, {"budget_window", 5}})),
         R"(bad.json: /nodes/1/budget_window: found "budget_window" without "budget", )"
         R"(expected a "budget" ratio for the window to apply to)"},
        {"one target", with_client(retry("client", Json::array({"api"}), {{"attempts", 2}})),
         "bad.json: /nodes/1/to: found a list of 1 names, expected a list of two or three node "
         "names [service, next, on_failure]: where calls go, where callers go after a "
         "successful call, and where they go when it failed (absent: rejected)"},
        {"calls that come back",
         {callers, retry("client", kTargets, {{"attempts", 2}}),
          station("api", 1, distribution("deterministic", 1), "client"), sink("replies"),
          sink("done"), sink("errors")},
         R"(bad.json: /nodes/1/to/0: found "api", expected a service whose routes do not lead )"
         R"(back to client (each call would become a caller of client again, without end))"},
        {"failed callers sent back to the retry node",
         {callers,
          retry("client", Json::array({"api", "done", "backoff"}), {{"attempts", 2}}),
          api,
          sink("replies"),
          sink("done"),
          {{"name", "backoff"},
           {"type", "delay"},
           {"delay", distribution("deterministic", 1)},
           {"to", "client"}}},
         R"(bad.json: /nodes/1/to/2: found "backoff", expected a route for the requests client )"
         R"(turns away that does not lead back to client (a retry loop without attempts or )"
         R"(budget: they would come back without end); its own "attempts" and "budget" bound )"
         R"(the retries)"},
        {"short-circuited calls sent back to the breaker",
         {callers,
          breaker("client", Json::array({"api", "done", "client"}),
                  {{"failure_ratio", 0.5}, {"open_for", 1}}),
          api, sink("replies"), sink("done")},
         R"(bad.json: /nodes/1/to/2: found "client", expected a route for the requests client )"
         R"(turns away that does not lead back to client (a retry loop without attempts or )"
         R"(budget: they would come back without end); to retry them, put a retry node with )"
         R"("attempts" or "budget" in front of client)"},
        {"breaker ratio 1",
         with_client(breaker("client", kTargets, {{"failure_ratio", 1}, {"open_for", 1}})),
         "bad.json: /nodes/1/failure_ratio: found 1, expected a number in [0, 1)"},
        {"breaker open_for 0",
         with_client(breaker("client", kTargets, {{"failure_ratio", 0.5}, {"open_for", 0}})),
         "bad.json: /nodes/1/open_for: found 0, expected a number in (0, 1e+15]"},
        {"breaker without open_for",
         with_client(breaker("client", kTargets, {{"failure_ratio", 0.5}})),
         R"(bad.json: /nodes/1: found no key "open_for", expected a number in (0, 1e+15] at "open_for")"},
        {"breaker probes 0",
         with_client(
             breaker("client", kTargets, {{"failure_ratio", 0.5}, {"open_for", 1}, {"probes", 0}})),
         "bad.json: /nodes/1/probes: found 0, expected an integer in [1, 1000000]"},
        {"breaker unknown key",
         with_client(breaker("client", kTargets,
                             {{"failure_ratio", 0.5}, {"open_for", 1}, {"attempts", 2}})),
         R"(bad.json: /nodes/1/attempts: found unknown key "attempts", expected one of the keys )"
         R"(name, type, description, failure_ratio, window, open_for, probes, timeout or to)"},
    };
    for (const Case& c : table) {
      CAPTURE(c.name);
      CHECK(message_of_nodes(c.nodes) == c.message);
    }
  }
}
