// Closed-loop clients: an exact timeline, simulation against exact MVA, what validate says of
// closed networks, and the clients node's input errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "models/nodes/network.hpp"
#include "models/scenario/replication.hpp"
#include "models/workflows/validate.hpp"
#include "scenario_builder.hpp"
#include "sim/analytic/birth_death.hpp"
#include "sim/analytic/mva.hpp"
#include "tests/support/scenario_checks.hpp"
#include "tests/support/statistical_checks.hpp"

using namespace capsim;
using namespace capsim::testing;

namespace {

Json clients(const std::string& name, int users, Json think, Json to) {
  return Json{{"name", name},
              {"type", "clients"},
              {"users", users},
              {"think", std::move(think)},
              {"to", std::move(to)}};
}

Json route(const std::vector<std::pair<std::string, double>>& targets) {
  Json out = Json::array();
  for (const auto& [node, p] : targets) out.push_back(Json{{"node", node}, {"p", p}});
  return out;
}

}  // namespace

TEST_CASE("clients: two users with deterministic think 1 s and service 0.5 s - timeline by hand") {
  // Both users send at t = 1; the second waits behind the first (reply at 2.0). From then on
  // each user cycles every 1.5 s: user A sends at 2.5, 4.0, ..., 10.0 (replies 0.5 s later),
  // user B at 3.0, 4.5, ..., 9.0. At t = 3.0 B's request arrives just before A's finishes
  // (B's think-over was scheduled earlier), so it starts at once without waiting.
  const Json nodes = {clients("users", 2, distribution("deterministic", 1.0), "s"),
                      station("s", 1, distribution("deterministic", 0.5), "out"), sink("out")};
  const auto r = run_once(nodes, 10, 0);
  const auto& u = r.nodes[0];
  CHECK(metric(u, "users") == 2);
  CHECK(metric(u, "arrivals") == 13);     // A: 7 sends (1.0 .. 10.0), B: 6 (1.0 .. 9.0)
  CHECK(metric(u, "completions") == 12);  // the request sent at 10.0 is still out
  CHECK(metric(u, "rejections") == 0);
  CHECK(metric(u, "in_system.start") == 0);
  CHECK(metric(u, "in_system.end") == 1);
  CHECK(metric(u, "throughput") == 1.2);
  CHECK(metric(u, "arrival_rate") == 1.3);
  // Eleven replies after 0.5 s, one after 1.0 s (a running mean: equal up to rounding).
  CHECK(metric(u, "W") == doctest::Approx(6.5 / 12).epsilon(1e-15));
  CHECK(metric(u, "L") == 0.65);  // 6.5 request-seconds outstanding in [0, 10]
  CHECK(metric(u, "sojourn.p99.9") == 1.0);
  CHECK(metric(u, "think") == 1.0);  // 13 think times ended in the window
  CHECK(metric(u, "response_time_law") == doctest::Approx(6.5 / 12 - (2 / 1.2 - 1.0)));
  const auto& s = r.nodes[1];
  CHECK(metric(s, "arrivals") == 13);
  CHECK(metric(s, "completions") == 12);
  CHECK(metric(s, "Wq") == 0.5 / 13);  // only B's first request waited
  CHECK(metric(r.system, "arrivals") == 13);
  CHECK(metric(r.system, "W") == doctest::Approx(6.5 / 12).epsilon(1e-15));
}

TEST_CASE("clients: a rejection is a reply - the user thinks and tries again") {
  // Three users, think 1 s, one station with room for one request served in 1 s.
  // t = 1: A's request is accepted (service ends at 2); B's and C's are rejected at once
  //        (response 0) and they think until 2.
  // t = 2: A's service end was scheduled before B's and C's think-overs, so A's reply comes
  //        first; then B is accepted (until 3) and C is rejected again.
  Json limited = station("s", 1, distribution("deterministic", 1.0), "out");
  limited["capacity"] = 1;
  const Json nodes = {clients("users", 3, distribution("deterministic", 1.0), "s"), limited,
                      sink("out")};
  const auto r = run_once(nodes, 2.5, 0);
  const auto& u = r.nodes[0];
  CHECK(metric(u, "arrivals") == 5);
  CHECK(metric(u, "rejections") == 3);
  CHECK(metric(u, "completions") == 1);
  CHECK(metric(u, "in_system.end") == 1);  // B's second request
  CHECK(metric(u, "W") == 1.0 / 4);        // replies after 0, 0, 1 and 0 s
  CHECK(metric(u, "throughput") == 4 / 2.5);
  CHECK(metric(u, "rejection_ratio") == 0.6);
  CHECK(metric(r.nodes[1], "rejections") == 3);
  CHECK(metric(r.system, "rejections") == 3);
}

TEST_CASE("clients: the warm-up carries outstanding requests into the window") {
  const Json nodes = {clients("users", 2, distribution("deterministic", 1.0), "s"),
                      station("s", 1, distribution("deterministic", 0.5), "out"), sink("out")};
  // At t = 2.5 (end of warm-up) A's request sent at 2.5 is outstanding.
  const auto r = run_once(nodes, 7.5, 2.5);
  const auto& u = r.nodes[0];
  CHECK(metric(u, "in_system.start") == 1);
  CHECK(metric(u, "arrivals") + 1 == metric(u, "completions") + metric(u, "in_system.end"));
}

TEST_SUITE("statistical") {
  TEST_CASE("one simulated user never queues: X = 1 / (S + Z) and R = S") {
    const Json nodes = {clients("users", 1, distribution("exponential", 1.0), "s"),
                        station("s", 1, distribution("exponential", 0.25), "out"), sink("out")};
    const auto s = scenario(nodes, 100000, 100, 10, 301);
    const auto result = models::run_experiment(s, 2);
    // The user alternates between thinking (rate 1) and waiting for a reply (rate 4): a
    // two-state birth-death chain, which gives each estimate's standard error; W, replies over
    // completions, by the delta method (sim/analytic/birth_death.hpp).
    const analytic::BirthDeathProcess user{{1.0}, {4.0}};
    auto error = [&](const analytic::Reward& reward, double scale = 1) {
      return asymptotic(analytic::asymptotic_moments(user, reward).variance_rate / (scale * scale),
                        s.duration);
    };
    check_estimate(result, 0, "throughput", 0.8, error({.down = {1}}));
    check_estimate(result, 0, "W", 0.25, error({.level = {0, 1}, .down = {-0.25}}, 0.8));
    check_estimate(result, 0, "L", 0.2, error({.level = {0, 1}}));
    check_estimate(result, 1, "utilization", 0.2, error({.level = {0, 1}}));
    // Exactly 0 in every replication: nobody else to wait for.
    check_estimate(result, 1, "Wq", 0, StandardError{0});
  }

  TEST_CASE("ten users - a 2-server tier calling a database in a loop - against exact MVA") {
    // users -> app (2 servers, mean 0.3 s) -> 50%: db (1 server, 0.2 s) -> app; 50%: done.
    // Visits: app 2, db 1; demands 0.6 s (2 servers) and 0.2 s; think time 2 s.
    Json app = station("app", 2, distribution("exponential", 0.3), "db");
    app["to"] = route({{"db", 0.5}, {"done", 0.5}});
    const Json nodes = {clients("users", 10, distribution("exponential", 2.0), "app"), app,
                        station("db", 1, distribution("exponential", 0.2), "app"), sink("done")};
    const auto s = scenario(nodes, 40000, 200, 10, 302);
    const auto result = models::run_experiment(s, 2);
    const std::vector<analytic::MvaStation> stations = {analytic::MvaStation::queueing(0.6, 2),
                                                        analytic::MvaStation::queueing(0.2, 1)};
    const auto mva = analytic::mva(10, 2.0, stations);
    // A closed network of two stations is no birth-death chain: detection goals.
    check_estimate(result, 0, "throughput", mva.throughput, DetectionGoal{0.02});
    check_estimate(result, 0, "W", mva.response, DetectionGoal{0.04});
    check_estimate(result, 1, "L", mva.stations[0].queue_length, DetectionGoal{0.04});
    check_estimate(result, 1, "W", mva.stations[0].residence / 2, DetectionGoal{0.04});
    check_estimate(result, 1, "utilization", mva.stations[0].utilization, DetectionGoal{0.02});
    check_estimate(result, 1, "p_wait", mva.stations[0].p_wait, DetectionGoal{0.04});
    check_estimate(result, 2, "L", mva.stations[1].queue_length, DetectionGoal{0.04});
    check_estimate(result, 2, "W", mva.stations[1].residence, DetectionGoal{0.04});
    check_estimate(result, 2, "utilization", mva.stations[1].utilization, DetectionGoal{0.02});
    check_estimate(result, 2, "p_wait", mva.stations[1].p_wait, DetectionGoal{0.04});
  }
}

TEST_SUITE("validate") {
  TEST_CASE("a closed product-form network is solved by MVA with visit ratios from the loop") {
    Json app = station("app", 3, distribution("exponential", 0.3), "db");
    app["to"] = route({{"db", 0.25}, {"done", 0.75}});
    const Json nodes = {clients("users", 8, distribution("lognormal", 2.0), "hop"),
                        Json{{"name", "hop"},
                             {"type", "delay"},
                             {"delay", distribution("deterministic", 0.01)},
                             {"to", "app"}},
                        app, station("db", 1, distribution("exponential", 0.1), "app"),
                        sink("done")};
    Json with_cv = nodes;
    with_cv[0]["think"]["cv"] = 2;  // insensitive: only the mean think time matters
    const auto s = scenario(with_cv, 5000, 500, 5, 303);
    const auto v = models::validate(s, models::run_experiment(s, 2));
    REQUIRE(theory_of(v, "users") != nullptr);
    CHECK(theory_of(v, "users")->model == "closed product-form network, exact MVA");
    CHECK(theory_of(v, "app")->model == "MVA station, 3 exponential servers");
    CHECK(theory_of(v, "app")->detail.find("1.333") != std::string::npos);  // 1 / 0.75 visits
    CHECK(theory_of(v, "hop")->model == "MVA delay (infinite servers)");
    CHECK(has_check(v, "users", "throughput"));
    CHECK(has_check(v, "users", "response_time_law"));
    CHECK(has_check(v, "db", "p_wait"));
    CHECK(has_check(v, "end to end", "W"));
    for (const auto& check : v.checks) {
      INFO(check.node, " ", check.metric, ": ", check.simulated.mean, " vs ", check.reference,
           " tolerance ", check.tolerance);
      CHECK(check.agrees);
    }
  }

  TEST_CASE(
      "closed loops without closed form: non-exponential service - a capacity below N - mixed "
      "traffic") {
    auto detail = [](const Json& nodes, const std::string& node) {
      const auto s = scenario(nodes, 500, 50, 3, 304);
      const auto v = models::validate(s, models::run_experiment(s, 2));
      CHECK(v.passed());
      CHECK(has_check(v, "users", "response_time_law"));
      const auto* theory = theory_of(v, node);
      return theory == nullptr ? std::string("(none)") : theory->detail;
    };
    const Json deterministic = {clients("users", 4, distribution("exponential", 1.0), "s"),
                                station("s", 1, distribution("deterministic", 0.2), "out"),
                                sink("out")};
    CHECK(detail(deterministic, "users") ==
          "no closed form: station s has deterministic service, not exponential; the "
          "interactive response-time law R = N / X - Z still holds");
    CHECK(detail(deterministic, "s") ==
          "no closed form: requests come from the closed loop of clients users, and station s "
          "has deterministic service, not exponential");

    Json limited = station("s", 1, distribution("exponential", 0.2), "out");
    limited["capacity"] = 3;
    CHECK(detail({clients("users", 4, distribution("exponential", 1.0), "s"), limited, sink("out")},
                 "users")
              .find("station s has a capacity of 3 for 4 users") != std::string::npos);
    limited["capacity"] = 4;  // can never turn anyone away: still product form
    const auto s =
        scenario({clients("users", 4, distribution("exponential", 1.0), "s"), limited, sink("out")},
                 500, 50, 3, 305);
    const auto v = models::validate(s, models::run_experiment(s, 2));
    CHECK(theory_of(v, "s")->model == "MVA station, 1 exponential server");

    CHECK(detail({clients("users", 4, distribution("exponential", 1.0), "s"),
                  source("open", distribution("exponential", 1.0), "s"),
                  station("s", 1, distribution("exponential", 0.2), "out"), sink("out")},
                 "users")
              .find("open sources (open) send requests too") != std::string::npos);
  }
}

TEST_CASE("clients: bad input names the node and key and what was expected") {
  const std::string station_node =
      R"({"name": "s", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})";
  auto with_clients = [&](const std::string& fields) {
    return R"({"duration": 100, "nodes": [{"name": "u", "type": "clients", )" + fields + R"(}, )" +
           station_node + R"(, {"name": "out", "type": "sink"}]})";
  };
  const std::string think = R"("think": {"dist": "exponential", "mean": 1})";
  struct Case {
    std::string name, text, message;
  };
  const std::vector<Case> cases = {
      {"missing users", with_clients(think + R"(, "to": "s")"),
       R"(bad.json: /nodes/0: found no key "users", expected an integer in [1, 1000000] at "users")"},
      {"zero users", with_clients(R"("users": 0, )" + think + R"(, "to": "s")"),
       "bad.json: /nodes/0/users: found 0, expected an integer in [1, 1000000]"},
      {"fractional users", with_clients(R"("users": 2.5, )" + think + R"(, "to": "s")"),
       "bad.json: /nodes/0/users: found 2.5, expected an integer in [1, 1000000]"},
      {"missing think", with_clients(R"("users": 3, "to": "s")"),
       R"(bad.json: /nodes/0: found no key "think", expected a "think" distribution of think times, s)"},
      {"zero think",
       with_clients(R"("users": 3, "think": {"dist": "exponential", "mean": 0}, "to": "s")"),
       "bad.json: /nodes/0/think/mean: found 0, expected a number > 0"},
      {"missing to", with_clients(R"("users": 3, )" + think),
       R"(bad.json: /nodes/0: found no key "to", expected a node name, or a list of {"node": name, "p": probability} summing to 1)"},
      {"unknown key", with_clients(R"("users": 3, "thinks": 1, )" + think + R"(, "to": "s")"),
       R"(bad.json: /nodes/0/thinks: found unknown key "thinks", expected one of the keys name, type, description, users, think or to (did you mean "think"?))"},
      {"routed to clients",
       R"({"duration": 100, "nodes": [{"name": "u", "type": "clients", "users": 1, )" + think +
           R"(, "to": "s"}, {"name": "s", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "u"}]})",
       R"(bad.json: /nodes/1/to: found "u", expected a node that accepts requests (clients generate them))"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    CHECK(message_of(c.text) == c.message);
  }
  // Clients alone are enough traffic: no source is needed.
  CHECK(message_of(with_clients(R"("users": 3, )" + think + R"(, "to": "s")")) == "(no error)");
}
