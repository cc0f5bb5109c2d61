// Rate limiters: the exact admit/reject sequence of every algorithm on hand-computable arrivals,
// properties on random traces (the sliding log's guarantee, the token bucket = leaky meter
// equivalence), an exact leaky-queue timeline, routing and metrics, bad input, what validate
// makes of each algorithm, and simulation against the exact theory (fixed window, token bucket
// chain, M/D/1/K).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "models/nodes/network.hpp"
#include "models/nodes/rate_limiter.hpp"
#include "models/scenario/replication.hpp"
#include "models/workflows/validate.hpp"
#include "scenario_builder.hpp"
#include "sim/analytic/estimator_variance.hpp"
#include "sim/analytic/rate_limit.hpp"
#include "sim/rng.hpp"
#include "tests/support/scenario_checks.hpp"
#include "tests/support/statistical_checks.hpp"

using namespace capsim;
using namespace capsim::testing;
using models::AdmissionMeter;
using models::LimiterAlgorithm;
using models::LimiterConfig;

namespace {

LimiterConfig windows(LimiterAlgorithm algorithm, std::int64_t limit, double window) {
  LimiterConfig config;
  config.algorithm = algorithm;
  config.limit = limit;
  config.window = window;
  return config;
}

LimiterConfig bucket(LimiterAlgorithm algorithm, double rate, std::int64_t burst) {
  LimiterConfig config;
  config.algorithm = algorithm;
  config.rate = rate;
  config.burst = burst;
  return config;
}

// "A" for each admitted request, "R" for each rejected one, at the given arrival times.
std::string decisions(const LimiterConfig& config, const std::vector<double>& times) {
  AdmissionMeter meter(config);
  std::string out;
  for (double t : times) out += meter.admit(t) ? 'A' : 'R';
  return out;
}

// step, 2 step, ..., count step: exact in binary for the steps used here (1/8, 1/4).
std::vector<double> every(double step, int count) {
  std::vector<double> times;
  for (int k = 1; k <= count; ++k) times.push_back(step * k);
  return times;
}

// Arrival times of a Poisson process at `rate`, from its own stream.
std::vector<double> poisson_trace(double rate, int count, std::uint64_t seed) {
  sim::Rng rng(seed);
  std::vector<double> times;
  double t = 0;
  for (int k = 0; k < count; ++k) {
    t += -std::log(rng.uniform_open()) / rate;
    times.push_back(t);
  }
  return times;
}

Json limiter(const std::string& name, const std::string& algorithm, Json parameters,
             std::vector<std::string> to) {
  Json node = {{"name", name}, {"type", "limiter"}, {"algorithm", algorithm}};
  for (auto& [key, value] : parameters.items()) node[key] = value;
  node["to"] = std::move(to);
  return node;
}

}  // namespace

TEST_SUITE("limiter") {
  TEST_CASE("fixed window: the first `limit` of each window aligned at t = 0") {
    // Limit 3 per second, a request every 1/8 s: 7 in the first window (1/8 .. 7/8), then 8 in
    // each, the one at t = 1 opening the second window.
    CHECK(decisions(windows(LimiterAlgorithm::fixed_window, 3, 1), every(0.125, 23)) ==
          "AAARRRR"
          "AAARRRRR"
          "AAARRRRR");
    // A request at every window's very start and end.
    CHECK(decisions(windows(LimiterAlgorithm::fixed_window, 1, 1), {0, 0.999, 1, 1.5, 3}) ==
          "ARAR"
          "A");
  }

  TEST_CASE("sliding window log: admitted once the oldest of the last `limit` is a window old") {
    // Limit 3 per second, a request every 1/4 s: at t = 1 the oldest admission (1/4) is only
    // 3/4 old; at 5/4 it is exactly 1 s old, so the window (1/4, 5/4] holds 2 and there is room.
    CHECK(decisions(windows(LimiterAlgorithm::sliding_window_log, 3, 1), every(0.25, 16)) ==
          "AAAR"
          "AAAR"
          "AAAR"
          "AAAR");
    // A burst right after a quiet spell: the log remembers exact times, unlike fixed windows.
    CHECK(decisions(windows(LimiterAlgorithm::sliding_window_log, 2, 1),
                    {0.9, 0.95, 1.0, 1.85, 1.9, 1.95}) == "AARRAA");
  }

  TEST_CASE("sliding window counter: previous count weighted by the part of it still in view") {
    // Limit 4 per second, a request every 1/8 s. First window: 4 admitted of 7. Then at a
    // fraction f of each window the estimate is 4 (1 - f) + admitted so far: 4 at f = 0 (R),
    // 3.5 at f = 1/8 (A), 4 at 2/8 (R), 3.5 at 3/8 (A), ...
    CHECK(decisions(windows(LimiterAlgorithm::sliding_window_counter, 4, 1), every(0.125, 23)) ==
          "AAAARRR"
          "RARARARA"
          "RARARARA");
    // After an idle window the previous count is 0: a fresh window admits `limit`.
    CHECK(decisions(windows(LimiterAlgorithm::sliding_window_counter, 2, 1),
                    {0.5, 0.6, 0.7, 2.5, 2.6, 2.7}) ==
          "AAR"
          "AAR");
    // ... but the window just before still counts: at t = 1.5 the estimate is 2 (1 - 0.5) = 1,
    // at 1.55 it is 2 (1 - 0.55) + 1 = 1.9 < 2, at 1.6 it is 0.8 + 2. An approximation: (0.55,
    // 1.55] holds 3 admissions although the limit is 2.
    CHECK(decisions(windows(LimiterAlgorithm::sliding_window_counter, 2, 1),
                    {0.5, 0.6, 1.5, 1.55, 1.6}) ==
          "AA"
          "AAR");
  }

  TEST_CASE("token bucket: full at start, one token every 1/rate, never above burst") {
    // 2 tokens/s, burst 2, a request every 1/4 s: the two initial tokens and the ones at 1/2 and
    // 1 serve the first four; from then on every other request finds a token.
    CHECK(decisions(bucket(LimiterAlgorithm::token_bucket, 2, 2), every(0.25, 12)) ==
          "AAAA"
          "RARARARA");
    // A long pause refills to the burst, not beyond: 2 tokens after 10 s.
    CHECK(decisions(bucket(LimiterAlgorithm::token_bucket, 2, 2),
                    {0.1, 0.2, 0.3, 10, 10.01, 10.02}) ==
          "AAR"
          "AAR");
    // A request exactly at a token instant sees the token.
    CHECK(decisions(bucket(LimiterAlgorithm::token_bucket, 4, 1), {0.1, 0.2, 0.25, 0.5}) == "ARAA");
  }

  TEST_CASE("leaky bucket meter admits exactly what the token bucket admits") {
    CHECK(decisions(bucket(LimiterAlgorithm::leaky_bucket_meter, 2, 2), every(0.25, 12)) ==
          "AAAA"
          "RARARARA");
    for (const auto& [rate, burst] :
         {std::pair{100.0, std::int64_t{1}}, std::pair{100.0, std::int64_t{7}},
          std::pair{80.0, std::int64_t{30}}}) {
      const auto trace = poisson_trace(110, 50000, 7);
      // Copies: doctest's INFO is a lambda, and clang 14 cannot capture structured bindings.
      const double shown_rate = rate;
      const std::int64_t shown_burst = burst;
      INFO("rate ", shown_rate, " burst ", shown_burst);
      CHECK(decisions(bucket(LimiterAlgorithm::leaky_bucket_meter, rate, burst), trace) ==
            decisions(bucket(LimiterAlgorithm::token_bucket, rate, burst), trace));
    }
  }

  TEST_CASE("sliding log on a random trace: never more than `limit` in any window, and tight") {
    const std::int64_t limit = 10;
    const double window = 0.3;
    const auto trace = poisson_trace(50, 20000, 11);
    AdmissionMeter meter(windows(LimiterAlgorithm::sliding_window_log, limit, window));
    std::vector<double> admitted;
    std::vector<double> rejected;
    for (double t : trace) (meter.admit(t) ? admitted : rejected).push_back(t);
    REQUIRE(admitted.size() > 1000);
    REQUIRE(rejected.size() > 1000);
    // Any interval [s, s + T) holding admissions has at most `limit`: it suffices to check the
    // ones starting at an admission.
    std::size_t worst = 0;
    for (std::size_t i = 0, j = 0; i < admitted.size(); ++i) {
      j = std::max(j, i);
      while (j < admitted.size() && admitted[j] < admitted[i] + window) ++j;
      worst = std::max(worst, j - i);
    }
    CHECK(worst == static_cast<std::size_t>(limit));
    // Every rejection had `limit` admissions in (t - T, t]: the log admits whenever it may.
    for (double t : rejected) {
      const auto in_view = std::count_if(admitted.begin(), admitted.end(),
                                         [&](double a) { return a > t - window && a <= t; });
      if (in_view != limit) {
        FAIL("rejected at ", t, " with ", in_view, " admissions in view");
      }
    }
  }

  TEST_CASE("fixed window and counter on a random trace: at most `limit` per aligned window") {
    const auto trace = poisson_trace(40, 20000, 13);
    for (auto algorithm :
         {LimiterAlgorithm::fixed_window, LimiterAlgorithm::sliding_window_counter}) {
      AdmissionMeter meter(windows(algorithm, 5, 0.25));
      std::vector<int> per_window(static_cast<std::size_t>(trace.back() / 0.25) + 1, 0);
      std::vector<int> arrivals(per_window.size(), 0);
      for (double t : trace) {
        const auto w = static_cast<std::size_t>(std::floor(t / 0.25));
        ++arrivals[w];
        if (meter.admit(t)) ++per_window[w];
      }
      for (std::size_t w = 0; w < per_window.size(); ++w) {
        CHECK(per_window[w] <= 5);
        // The fixed window admits exactly the first min(arrivals, limit).
        if (algorithm == LimiterAlgorithm::fixed_window) {
          CHECK(per_window[w] == std::min(arrivals[w], 5));
        }
      }
    }
  }

  TEST_CASE("network: admitted to the first target, rejected to the second, metrics") {
    // Token bucket 2/s, burst 2, a request every 1/4 s up to t = 10: 40 arrivals, the first 4
    // admitted, then every other one: 22 admitted, 18 rejected.
    const Json nodes = {
        source("in", distribution("deterministic", 0.25), "limit"),
        limiter("limit", "token_bucket", {{"rate", 2}, {"burst", 2}}, {"ok", "throttled"}),
        sink("ok"), sink("throttled")};
    const auto r = run_once(nodes, 10);
    const auto& m = r.nodes[1];
    CHECK(metric(m, "arrivals") == 40);
    CHECK(metric(m, "admitted") == 22);
    CHECK(metric(m, "rejections") == 18);
    CHECK(metric(m, "completions") == 22);
    CHECK(metric(m, "in_system.start") == 0);
    CHECK(metric(m, "in_system.end") == 0);
    CHECK(metric(m, "arrival_rate") == 4);
    CHECK(metric(m, "admitted_rate") == 2.2);
    CHECK(metric(m, "throughput") == 2.2);
    CHECK(metric(m, "rejection_ratio") == 18.0 / 40);
    CHECK(metric(r.nodes[2], "completions") == 22);
    CHECK(metric(r.nodes[3], "completions") == 18);
    // Routed to a sink, the rejected requests complete end to end.
    CHECK(metric(r.system, "completions") == 40);
    CHECK(metric(r.system, "rejections") == 0);

    // With one target, they leave the system as rejections.
    const Json alone = {source("in", distribution("deterministic", 0.25), "limit"),
                        limiter("limit", "token_bucket", {{"rate", 2}, {"burst", 2}}, {"ok"}),
                        sink("ok")};
    const auto single = run_once(alone, 10);
    CHECK(metric(single.nodes[1], "rejections") == 18);
    CHECK(metric(single.system, "completions") == 22);
    CHECK(metric(single.system, "rejections") == 18);
  }

  TEST_CASE("network: the token bucket and the leaky meter give identical runs") {
    auto run = [](const std::string& algorithm) {
      const auto s =
          scenario({source("in", distribution("exponential", 1 / 120.0), "limit"),
                    limiter("limit", algorithm, {{"rate", 100}, {"burst", 10}}, {"ok", "no"}),
                    sink("ok"), sink("no")},
                   100, 10, 2, 5);
      return models::run_experiment(s, 1);
    };
    const auto token = run("token_bucket");
    const auto meter = run("leaky_bucket_meter");
    for (const char* name : {"admitted", "rejections", "throughput"}) {
      CHECK(models::per_replication(token, 1, name) == models::per_replication(meter, 1, name));
    }
  }

  TEST_CASE("leaky bucket queue: exact timeline of an M/D/1/2 with deterministic arrivals") {
    // Rate 2 (one departure every 1/2 s), room for 1 waiting; a request every 5/16 s, run to
    // t = 2.7. Arrivals 1..8 at 0.3125 k. Departures: #1 at 0.8125, #2 1.3125, #3 1.8125,
    // #5 2.3125; #6 leaves at 2.8125 and #8 waits at the end. #4 (1.25) and #7 (2.1875) find
    // one leaving and one waiting: rejected.
    const Json nodes = {
        source("in", distribution("deterministic", 0.3125), "drain"),
        limiter("drain", "leaky_bucket_queue", {{"rate", 2}, {"queue", 1}}, {"ok", "throttled"}),
        sink("ok"), sink("throttled")};
    const auto r = run_once(nodes, 2.7);
    const auto& m = r.nodes[1];
    CHECK(metric(m, "arrivals") == 8);
    CHECK(metric(m, "admitted") == 6);
    CHECK(metric(m, "rejections") == 2);
    CHECK(metric(m, "completions") == 4);
    CHECK(metric(m, "in_system.end") == 2);
    CHECK(metric(m, "W") == (0.5 + 0.6875 + 0.875 + 0.75) / 4);
    // Waits of the five that started leaving: 0, 3/16, 3/8, 1/4, 7/16.
    CHECK(metric(m, "Wq") == 1.25 / 5);
    CHECK(metric(m, "p_wait") == 4.0 / 5);
    CHECK(metric(m, "utilization") == doctest::Approx((2.7 - 0.3125) / 2.7).epsilon(1e-12));
    // Request-seconds in the node: 3.8375, of which waiting: 1.45.
    CHECK(metric(m, "L") == doctest::Approx(3.8375 / 2.7).epsilon(1e-12));
    CHECK(metric(m, "Lq") == doctest::Approx(1.45 / 2.7).epsilon(1e-12));
    CHECK(metric(m, "sojourn.p99.9") == 0.875);
    CHECK(metric(r.nodes[2], "completions") == 4);
    CHECK(metric(r.nodes[3], "completions") == 2);
  }

  TEST_CASE("the window stays aligned at t = 0 across the warm-up") {
    // Limit 2 per second; warm-up 0.5 s: the window [0, 1) has admitted 2 (at 1/8 and 2/8)
    // before the measurement starts, so nothing more is admitted until t = 1.
    const auto s =
        scenario({source("in", distribution("deterministic", 0.125), "limit"),
                  limiter("limit", "fixed_window", {{"limit", 2}, {"window", 1}}, {"ok", "no"}),
                  sink("ok"), sink("no")},
                 1.5, 0.5, 2, 1);
    models::Replication network(s, 0);
    const auto r = network.run();
    // Measured arrivals at 5/8 .. 2: 12; admitted at 1 and 9/8, then at 2 (a new window).
    CHECK(metric(r.nodes[1], "arrivals") == 12);
    CHECK(metric(r.nodes[1], "admitted") == 3);
  }
}

namespace {

// A source "in" -> limiter "lim" (with `fields`) -> sinks ok and no.
std::string with_limiter(const std::string& fields, const std::string& to = R"(["ok", "no"])") {
  return R"({"duration": 100, "nodes": [{"name": "in", "type": "source", )"
         R"("arrival": {"dist": "exponential", "rate": 1}, "to": "lim"}, )"
         R"({"name": "lim", "type": "limiter", )" +
         fields + R"(, "to": )" + to + "}, " +
         R"({"name": "ok", "type": "sink"}, {"name": "no", "type": "sink"}, )" +
         R"({"name": "other", "type": "sink"}]})";
}

const std::string kRetryLoop =
    "a route for the requests lim turns away that does not lead back to lim (a retry loop "
    "without attempts or budget: they would come back without end); to retry them, put a retry "
    R"(node with "attempts" or "budget" in front of lim)";

const std::string kAlgorithms =
    "a rate-limiting algorithm: fixed_window, sliding_window_log, sliding_window_counter, "
    "token_bucket, leaky_bucket_meter or leaky_bucket_queue";

std::vector<BadInput> bad_inputs() {
  const std::string fixed = R"("algorithm": "fixed_window", )";
  const std::string token = R"("algorithm": "token_bucket", )";
  const std::string queue = R"("algorithm": "leaky_bucket_queue", )";
  return {
      {"unknown algorithm", with_limiter(R"("algorithm": "token_buckt", "rate": 1, "burst": 1)"),
       "/nodes/1/algorithm", R"("token_buckt")",
       kAlgorithms + R"( (did you mean "token_bucket"?))"},
      {"algorithm far from any", with_limiter(R"("algorithm": "magic", "rate": 1)"),
       "/nodes/1/algorithm", R"("magic")", kAlgorithms},
      {"algorithm not a string", with_limiter(R"("algorithm": 2)"), "/nodes/1/algorithm", "2",
       kAlgorithms},
      {"missing algorithm", with_limiter(R"("rate": 1)"), "/nodes/1", R"(no key "algorithm")",
       kAlgorithms},
      {"limit zero", with_limiter(fixed + R"("limit": 0, "window": 1)"), "/nodes/1/limit", "0",
       "an integer in [1, 1e+09]"},
      {"fractional limit", with_limiter(fixed + R"("limit": 2.5, "window": 1)"), "/nodes/1/limit",
       "2.5", "an integer in [1, 1e+09]"},
      {"missing limit", with_limiter(fixed + R"("window": 1)"), "/nodes/1", R"(no key "limit")",
       R"(an integer in [1, 1e+09] at "limit")"},
      {"window zero", with_limiter(fixed + R"("limit": 5, "window": 0)"), "/nodes/1/window", "0",
       "a number in (0, 1e+09]"},
      {"negative window", with_limiter(fixed + R"("limit": 5, "window": -1)"), "/nodes/1/window",
       "-1", "a number in (0, 1e+09]"},
      {"missing window", with_limiter(fixed + R"("limit": 5)"), "/nodes/1", R"(no key "window")",
       R"(a number in (0, 1e+09] at "window")"},
      {"sliding log limit too large",
       with_limiter(R"("algorithm": "sliding_window_log", "limit": 2000000, "window": 1)"),
       "/nodes/1/limit", "2000000",
       R"(an integer in [1, 1000000] for sliding_window_log (it keeps the time of each of the )"
       R"(last "limit" admissions))"},
      {"rate zero", with_limiter(token + R"("rate": 0, "burst": 1)"), "/nodes/1/rate", "0",
       "a number in (0, 1e+09]"},
      {"negative rate", with_limiter(queue + R"("rate": -2, "queue": 1)"), "/nodes/1/rate", "-2",
       "a number in (0, 1e+09]"},
      {"burst zero", with_limiter(token + R"("rate": 1, "burst": 0)"), "/nodes/1/burst", "0",
       "an integer in [1, 1e+09]"},
      {"burst as word",
       with_limiter(R"("algorithm": "leaky_bucket_meter", "rate": 1, "burst": "lots")"),
       "/nodes/1/burst", R"("lots")", "an integer in [1, 1e+09]"},
      {"missing burst", with_limiter(token + R"("rate": 1)"), "/nodes/1", R"(no key "burst")",
       R"(an integer in [1, 1e+09] at "burst")"},
      {"negative queue", with_limiter(queue + R"("rate": 1, "queue": -1)"), "/nodes/1/queue", "-1",
       "an integer in [0, 1e+09]"},
      {"limit with a token bucket", with_limiter(token + R"("rate": 1, "burst": 1, "limit": 5)"),
       "/nodes/1/limit", R"(key "limit" with algorithm "token_bucket")",
       R"(no "limit": only algorithms fixed_window, sliding_window_log or )"
       R"(sliding_window_counter take it)"},
      {"burst with a fixed window", with_limiter(fixed + R"("limit": 5, "window": 1, "burst": 2)"),
       "/nodes/1/burst", R"(key "burst" with algorithm "fixed_window")",
       R"(no "burst": only algorithms token_bucket or leaky_bucket_meter take it)"},
      {"burst with a leaky queue", with_limiter(queue + R"("rate": 1, "queue": 1, "burst": 2)"),
       "/nodes/1/burst", R"(key "burst" with algorithm "leaky_bucket_queue")",
       R"(no "burst": only algorithms token_bucket or leaky_bucket_meter take it)"},
      {"queue with a token bucket", with_limiter(token + R"("rate": 1, "burst": 1, "queue": 3)"),
       "/nodes/1/queue", R"(key "queue" with algorithm "token_bucket")",
       R"(no "queue": only algorithm leaky_bucket_queue takes it)"},
      {"rate with a window", with_limiter(fixed + R"("limit": 5, "window": 1, "rate": 3)"),
       "/nodes/1/rate", R"(key "rate" with algorithm "fixed_window")",
       R"(no "rate": only algorithms token_bucket, leaky_bucket_meter or leaky_bucket_queue )"
       R"(take it)"},
      {"misspelt key", with_limiter(token + R"("rate": 1, "bursts": 1)"), "/nodes/1/bursts",
       R"(unknown key "bursts")",
       R"(one of the keys name, type, description, algorithm, limit, window, rate, burst, queue )"
       R"(or to (did you mean "burst"?))"},
      {"three targets",
       with_limiter(token + R"("rate": 1, "burst": 1)", R"(["ok", "no", "other"])"), "/nodes/1/to",
       "a list of 3 node names", "[admitted target] or [admitted target, rejected target]"},
      {"target not a list", with_limiter(token + R"("rate": 1, "burst": 1)", R"("ok")"),
       "/nodes/1/to", R"("ok")", "a non-empty list of distinct node names"},
      {"same target twice", with_limiter(token + R"("rate": 1, "burst": 1)", R"(["ok", "ok"])"),
       "/nodes/1/to/1", R"("ok")", "a node not already listed at /nodes/1/to/0"},
      // Rejections straight back into the limiter would loop forever at one instant.
      {"rejections sent back to the limiter",
       with_limiter(token + R"("rate": 1, "burst": 1)", R"(["ok", "lim"])"), "/nodes/1/to/1",
       R"("lim")", kRetryLoop},
  };
}

}  // namespace

TEST_SUITE("errors") {
  TEST_CASE("bad limiter input: one line with file, pointer, value found and expectation") {
    check_bad_inputs(bad_inputs());
  }
}

namespace {

double closed_form(const models::Scenario& s, std::size_t node, const std::string& metric) {
  const auto forms = models::closed_forms(s);
  const auto it = forms.find({node, metric});
  return it == forms.end() ? std::nan("") : it->second;
}

Json poisson_into_limiter(double rate, Json limiter_node) {
  return {source("in", distribution("exponential", 1 / rate), "lim"), std::move(limiter_node),
          sink("ok"), sink("no")};
}

}  // namespace

TEST_SUITE("validate") {
  TEST_CASE("the closed form each algorithm gets, or why it has none") {
    const auto fixed = scenario(
        poisson_into_limiter(
            12, limiter("lim", "fixed_window", {{"limit", 10}, {"window", 1}}, {"ok", "no"})),
        1000, 100, 2, 1);
    CHECK(closed_form(fixed, 1, "throughput") ==
          doctest::Approx(analytic::fixed_window_admissions(12, 1, 10, 100, 1100) / 1000)
              .epsilon(1e-14));
    const auto token = scenario(
        poisson_into_limiter(
            100, limiter("lim", "token_bucket", {{"rate", 90}, {"burst", 20}}, {"ok", "no"})),
        1000, 100, 2, 1);
    const double admitted = analytic::token_bucket(100, 90, 20).admitted_rate;
    CHECK(closed_form(token, 1, "throughput") == admitted);
    CHECK(closed_form(token, 1, "rejection_ratio") == doctest::Approx(1 - admitted / 100));
    const auto meter = scenario(
        poisson_into_limiter(
            100, limiter("lim", "leaky_bucket_meter", {{"rate", 90}, {"burst", 20}}, {"ok", "no"})),
        1000, 100, 2, 1);
    CHECK(closed_form(meter, 1, "throughput") == admitted);
    const auto queue = scenario(
        poisson_into_limiter(
            9, limiter("lim", "leaky_bucket_queue", {{"rate", 10}, {"queue", 5}}, {"ok", "no"})),
        1000, 100, 2, 1);
    const auto md1k = analytic::md1k(9, 10, 6);
    CHECK(closed_form(queue, 1, "rejection_ratio") == md1k.blocking);
    CHECK(closed_form(queue, 1, "L") == md1k.L);
    CHECK(closed_form(queue, 1, "W") == md1k.W);

    // A short run is enough to see the texts.
    for (const char* algorithm : {"sliding_window_log", "sliding_window_counter"}) {
      const auto s =
          scenario(poisson_into_limiter(
                       12, limiter("lim", algorithm, {{"limit", 10}, {"window", 1}}, {"ok", "no"})),
                   100, 10, 2, 1);
      CHECK(std::isnan(closed_form(s, 1, "throughput")));
      const auto v = models::validate(s, models::run_experiment(s, 1));
      CAPTURE(algorithm);
      REQUIRE(theory_of(v, "lim") != nullptr);
      CHECK(theory_of(v, "lim")->detail.find("no closed form for the " + std::string(algorithm)) ==
            0);
      CHECK(v.passed());
    }
  }

  TEST_CASE("non-Poisson arrivals: no closed form, the bound, and Little and flow balance") {
    const auto s =
        scenario({source("in", distribution("deterministic", 0.01), "lim"),
                  limiter("lim", "leaky_bucket_queue", {{"rate", 90}, {"queue", 3}}, {"ok", "no"}),
                  sink("ok"), sink("no")},
                 100, 10, 3, 1);
    const auto v = models::validate(s, models::run_experiment(s, 1));
    REQUIRE(theory_of(v, "lim") != nullptr);
    CHECK(theory_of(v, "lim")->detail ==
          "no closed form: arrivals are not Poisson (source in has deterministic inter-arrival "
          "times, not exponential); long-run admitted rate at most min(lambda, rate) = "
          "min(lambda, 90/s)");
    CHECK(std::any_of(v.checks.begin(), v.checks.end(), [](const models::Check& c) {
      return c.node == "lim" && c.metric == "Little's law";
    }));
    CHECK(v.passed());
  }
}

namespace {

models::RunResult simulate(const models::Scenario& s) {
  return models::run_experiment(s, 2);
}

// check_estimate for the limiter, node 1; `cap` is a StandardError or a DetectionGoal. The token
// bucket's deficit and the M/D/1/K queue are not birth-death chains and have no theory for the
// spread of their estimates here: detection goals.
template <typename Cap>
void check(const models::RunResult& result, const std::string& metric, double theory, Cap cap) {
  check_estimate(result, 1, metric, theory, cap);
}

}  // namespace

TEST_SUITE("statistical") {
  TEST_CASE("fixed window 10 per second at 12/s: E[min(N, 10)] per window") {
    const auto s = scenario(
        poisson_into_limiter(
            12, limiter("lim", "fixed_window", {{"limit", 10}, {"window", 1}}, {"ok", "no"})),
        40000, 100, 10, 301);
    const auto result = simulate(s);
    const double admitted = analytic::fixed_window_admissions(12, 1, 10, 100, 40100) / 40000;
    // Whole windows, independent: the standard errors follow from min(N, 10) per window.
    const auto v = analytic::fixed_window_variances(12, 1, 10);
    check(result, "throughput", admitted, asymptotic(v.throughput, s.duration));
    check(result, "rejection_ratio", 1 - admitted / 12, asymptotic(v.rejection_ratio, s.duration));
  }

  TEST_CASE("token bucket 90/s, burst 20, at 100/s: the embedded chain's admitted rate") {
    const auto s = scenario(
        poisson_into_limiter(
            100, limiter("lim", "token_bucket", {{"rate", 90}, {"burst", 20}}, {"ok", "no"})),
        6000, 100, 10, 302);
    const auto result = simulate(s);
    const auto m = analytic::token_bucket(100, 90, 20);
    check(result, "throughput", m.admitted_rate, DetectionGoal{0.004});
    check(result, "rejection_ratio", m.rejection_probability, DetectionGoal{0.04});
  }

  TEST_CASE("token bucket 50/s, burst 5, at 40/s: below the token rate, still rejecting") {
    const auto s = scenario(
        poisson_into_limiter(
            40, limiter("lim", "token_bucket", {{"rate", 50}, {"burst", 5}}, {"ok", "no"})),
        20000, 100, 10, 303);
    const auto result = simulate(s);
    const auto m = analytic::token_bucket(40, 50, 5);
    check(result, "throughput", m.admitted_rate, DetectionGoal{0.006});
    check(result, "rejection_ratio", m.rejection_probability, DetectionGoal{0.06});
  }

  TEST_CASE("leaky bucket queue at rate 10, room 5 waiting, 9/s: M/D/1/6") {
    const auto s = scenario(
        poisson_into_limiter(
            9, limiter("lim", "leaky_bucket_queue", {{"rate", 10}, {"queue", 5}}, {"ok", "no"})),
        20000, 200, 10, 304);
    const auto result = simulate(s);
    const auto m = analytic::md1k(9, 10, 6);
    check(result, "throughput", m.throughput, DetectionGoal{0.01});
    check(result, "rejection_ratio", m.blocking, DetectionGoal{0.06});
    check(result, "utilization", m.utilization, DetectionGoal{0.01});
    check(result, "L", m.L, DetectionGoal{0.02});
    check(result, "Lq", m.Lq, DetectionGoal{0.04});
    check(result, "W", m.W, DetectionGoal{0.02});
    check(result, "Wq", m.Wq, DetectionGoal{0.04});
    check(result, "p_wait", m.p_wait, DetectionGoal{0.02});
  }
}
