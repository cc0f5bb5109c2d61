// Fork-join: exact timelines with deterministic branches, the Flatto-Hahn and Nelson-Tantawi
// results against simulation, and the loader's checks of fork-join structure.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "models/nodes/network.hpp"
#include "models/scenario/replication.hpp"
#include "models/workflows/validate.hpp"
#include "scenario_builder.hpp"
#include "sim/analytic/fork_join.hpp"
#include "tests/support/scenario_checks.hpp"
#include "tests/support/statistical_checks.hpp"

using namespace capsim;
using namespace capsim::testing;
using models::Replication;
using models::ReplicationResult;

namespace {

Json fork(const std::string& name, std::vector<std::string> branches,
          std::optional<int> k = std::nullopt) {
  Json node = {{"name", name}, {"type", "fork"}, {"to", std::move(branches)}};
  if (k) node["k"] = *k;
  return node;
}

Json join(const std::string& name, const std::string& to) {
  return Json{{"name", name}, {"type", "join"}, {"to", to}};
}

Json deterministic(double value) {
  return distribution("deterministic", value);
}

// Arrivals at t = 1, 2, ..., 10 into a fork over two deterministic branches.
Json two_branches(double a, double b, std::optional<int> k = std::nullopt) {
  return {source("in", deterministic(1), "f"),
          fork("f", {"a", "b"}, k),
          station("a", 1, deterministic(a), "j"),
          station("b", 1, deterministic(b), "j"),
          join("j", "out"),
          sink("out")};
}

}  // namespace

TEST_CASE("fork-join of 2 deterministic branches: the parent leaves with its slowest child") {
  const auto r = run_once(two_branches(0.5, 0.8), 10);
  const auto& j = r.nodes[4];
  // Parents forked at 1..10, each released 0.8 s later: the one forked at 10 is still waiting.
  CHECK(metric(j, "arrivals") == 10);
  CHECK(metric(j, "completions") == 9);
  CHECK(metric(j, "in_system.start") == 0);
  CHECK(metric(j, "in_system.end") == 1);
  CHECK(metric(j, "child_arrivals") == 18);
  CHECK(metric(j, "late_children") == 0);
  CHECK(metric(j, "W") == doctest::Approx(0.8).epsilon(1e-12));
  CHECK(metric(j, "sojourn.p99.9") == doctest::Approx(0.8).epsilon(1e-12));
  CHECK(metric(j, "L") == doctest::Approx(0.72).epsilon(1e-12));  // 9 x 0.8 s over 10 s
  CHECK(metric(j, "throughput") == 0.9);
  CHECK(metric(r.nodes[1], "arrivals") == 10);
  CHECK(metric(r.nodes[1], "children") == 20);
  // Children are internal: end to end counts the parents only.
  CHECK(metric(r.system, "arrivals") == 10);
  CHECK(metric(r.system, "completions") == 9);
  CHECK(metric(r.system, "in_system.end") == 1);
  CHECK(metric(r.system, "W") == doctest::Approx(0.8).epsilon(1e-12));
  CHECK(metric(r.system, "L") == doctest::Approx(0.72).epsilon(1e-12));
  // Each branch station served every child that arrived.
  CHECK(metric(r.nodes[2], "arrivals") == 10);
  CHECK(metric(r.nodes[3], "W") == doctest::Approx(0.8).epsilon(1e-12));
}

TEST_CASE("k of n: the first child releases the parent and the others are discarded late") {
  const auto r = run_once(two_branches(0.5, 0.8, 1), 10);
  const auto& j = r.nodes[4];
  CHECK(metric(j, "completions") == 9);  // released at 1.5, ..., 9.5; the 10th at 10.5
  CHECK(metric(j, "W") == doctest::Approx(0.5).epsilon(1e-12));
  CHECK(metric(j, "child_arrivals") == 18);  // a: 1.5 ... 9.5; b: 1.8 ... 9.8
  CHECK(metric(j, "late_children") == 9);
  CHECK(metric(r.system, "W") == doctest::Approx(0.5).epsilon(1e-12));
}

TEST_CASE("2 of 3: the second child releases the parent") {
  const Json nodes = {source("in", deterministic(1), "f"),
                      fork("f", {"a", "b", "c"}, 2),
                      station("a", 1, deterministic(0.9), "j"),
                      station("b", 1, deterministic(0.3), "j"),
                      station("c", 1, deterministic(0.5), "j"),
                      join("j", "out"),
                      sink("out")};
  const auto r = run_once(nodes, 10);
  const auto& j = r.nodes[5];
  CHECK(metric(j, "W") == doctest::Approx(0.5).epsilon(1e-12));
  CHECK(metric(j, "completions") == 9);
  CHECK(metric(j, "late_children") == 9);  // a's children at 1.9 ... 9.9
  CHECK(metric(j, "child_arrivals") == 27);
}

TEST_CASE("a branch straight to the join releases a 1-of-2 parent while the fork still sends") {
  const Json nodes = {source("in", deterministic(1), "f"), fork("f", {"j", "a"}, 1),
                      station("a", 1, deterministic(0.5), "j"), join("j", "out"), sink("out")};
  const auto r = run_once(nodes, 10);
  const auto& j = r.nodes[3];
  CHECK(metric(j, "completions") == 10);
  CHECK(metric(j, "W") == 0);
  CHECK(metric(j, "late_children") == 9);  // a's children at 1.5 ... 9.5
  CHECK(metric(r.system, "completions") == 10);
  CHECK(metric(r.system, "W") == 0);
  CHECK(metric(r.nodes[2], "arrivals") == 10);
}

TEST_CASE("nested fork-join: the outer join waits for the inner section and the other branch") {
  const Json nodes = {source("in", deterministic(1), "outer"),
                      fork("outer", {"inner", "z"}),
                      fork("inner", {"x", "y"}),
                      station("x", 1, deterministic(0.2), "inner_join"),
                      station("y", 1, deterministic(0.4), "inner_join"),
                      join("inner_join", "outer_join"),
                      station("z", 1, deterministic(0.3), "outer_join"),
                      join("outer_join", "out"),
                      sink("out")};
  const auto r = run_once(nodes, 10);
  CHECK(metric(r.nodes[5], "W") == doctest::Approx(0.4).epsilon(1e-12));
  CHECK(metric(r.nodes[7], "W") == doctest::Approx(0.4).epsilon(1e-12));
  CHECK(metric(r.nodes[7], "completions") == 9);  // the parent forked at 10 leaves at 10.4
  CHECK(metric(r.system, "W") == doctest::Approx(0.4).epsilon(1e-12));
}

TEST_CASE("a child rejected on its branch fails its parent: the parent is rejected") {
  // Branch a holds one request for 1.5 s: of the children arriving every second it accepts those
  // at odd times and rejects those at even times. Branch b returns at once.
  Json limited = station("a", 1, deterministic(1.5), "j");
  limited["capacity"] = 1;
  const Json nodes = {source("in", deterministic(1), "f"),      fork("f", {"a", "b"}), limited,
                      station("b", 1, deterministic(0.1), "j"), join("j", "out"),      sink("out")};
  const auto r = run_once(nodes, 10);
  const auto& j = r.nodes[4];
  CHECK(metric(j, "arrivals") == 10);
  CHECK(metric(j, "rejections") == 5);  // forked at 2, 4, ..., 10
  CHECK(metric(j, "lost_children") == 5);
  CHECK(metric(j, "late_children") == 4);  // b's children of 2, 4, 6, 8 (10's arrives at 10.1)
  CHECK(metric(j, "completions") == 4);    // released at 2.5, 4.5, 6.5, 8.5
  CHECK(metric(j, "in_system.end") == 1);  // forked at 9, released at 10.5
  CHECK(metric(j, "W") == doctest::Approx(1.5).epsilon(1e-12));
  CHECK(metric(r.system, "rejections") == 5);
  CHECK(metric(r.system, "completions") == 4);
  CHECK(metric(r.system, "arrivals") == 10);
  CHECK(metric(r.system, "in_system.end") == 1);
}

TEST_SUITE("theory") {
  TEST_CASE("validate plans the Flatto-Hahn checks only for 2 identical M/M/1 branches") {
    auto branches = [](const std::string& service_a, std::optional<int> k) {
      return Json{source("in", distribution("exponential", 2), "f"),
                  fork("f", {"a", "b"}, k),
                  station("a", 1, distribution(service_a, 0.25), "j"),
                  station("b", 1, distribution("exponential", 0.25), "j"),
                  join("j", "out"),
                  sink("out")};
    };
    // lambda 0.5, mu 4: R = (12 - 0.125) / 8 / 3.5.
    const auto forms = models::closed_forms(scenario(branches("exponential", {}), 100, 10, 2, 1));
    REQUIRE(forms.count({4, "W"}) == 1);
    CHECK(forms.at({4, "W"}) == doctest::Approx(11.875 / 8 / 3.5).epsilon(1e-12));
    CHECK(forms.at({4, "L"}) == doctest::Approx(0.5 * 11.875 / 8 / 3.5).epsilon(1e-12));
    CHECK(forms.at({2, "L"}) == doctest::Approx(0.5 / 3.5).epsilon(1e-12));  // M/M/1 branch
    CHECK(models::closed_forms(scenario(branches("deterministic", {}), 100, 10, 2, 1))
              .count({4, "W"}) == 0);
    CHECK(
        models::closed_forms(scenario(branches("exponential", 1), 100, 10, 2, 1)).count({4, "W"}) ==
        0);
  }

  TEST_CASE("branches that meet again before the join do not make a Poisson stream") {
    // Both branches pass through c: it sees every request twice, at the same instant.
    const Json nodes = {source("in", distribution("exponential", 2), "f"),
                        fork("f", {"a", "b"}),
                        station("a", 1, distribution("exponential", 0.1), "c"),
                        station("b", 1, distribution("exponential", 0.1), "c"),
                        station("c", 1, distribution("exponential", 0.1), "j"),
                        join("j", "out"),
                        sink("out")};
    const auto forms = models::closed_forms(scenario(nodes, 100, 10, 2, 1));
    CHECK(forms.count({2, "L"}) == 0);
    CHECK(forms.count({4, "L"}) == 0);
  }
}

TEST_SUITE("statistical") {
  // Asserts |mean - theory| <= the 99.9% half-width and that the half-width is at most half of
  // a detection goal: the branches' queues together are no birth-death chain, and no theory here
  // gives the spread of the join's estimates.
  TEST_CASE("fork-join over 2 M/M/1 branches at rho 0.5 matches Flatto-Hahn") {
    const double lambda = 0.5, mu = 1;
    const Json nodes = {source("in", distribution("exponential", 1 / lambda), "f"),
                        fork("f", {"a", "b"}),
                        station("a", 1, distribution("exponential", 1 / mu), "j"),
                        station("b", 1, distribution("exponential", 1 / mu), "j"),
                        join("j", "out"),
                        sink("out")};
    const auto s = scenario(nodes, 200000, 2000, 10, 201);
    const auto result = models::run_experiment(s, 2);
    const double theory = analytic::fork_join_two_mm1(lambda, mu);  // 2.875 s
    for (const char* name : {"W", "L"}) {
      const double expected = std::string(name) == "W" ? theory : lambda * theory;
      check_estimate(result, 4, name, expected, DetectionGoal{0.04});
    }
  }

  TEST_CASE("fork-join over 4 M/M/1 branches at rho 0.6 is within Nelson-Tantawi's 5 percent") {
    // An approximation: the tolerance is its published error bound plus the 99.9% half-width.
    const double lambda = 0.6, mu = 1;
    Json nodes = {source("in", distribution("exponential", 1 / lambda), "f"),
                  fork("f", {"a", "b", "c", "d"})};
    for (const char* branch : {"a", "b", "c", "d"}) {
      nodes.push_back(station(branch, 1, distribution("exponential", 1 / mu), "j"));
    }
    nodes.push_back(join("j", "out"));
    nodes.push_back(sink("out"));
    const auto s = scenario(nodes, 100000, 2000, 10, 202);
    const auto result = models::run_experiment(s, 2);
    const double approximation = analytic::fork_join_mm1_nelson_tantawi(4, lambda, mu);
    check_estimate(result, 6, "W", approximation, DetectionGoal{0.04},
                   analytic::kNelsonTantawiRelativeError * approximation);
  }
}

TEST_SUITE("errors") {
  TEST_CASE("bad fork-join structures: one line naming pointer and value found and expectation") {
    const Json in = source("in", deterministic(1), "f");
    const Json a = station("a", 1, deterministic(1), "j");
    const Json b = station("b", 1, deterministic(1), "j");
    const Json out = sink("out");
    struct Case {
      std::string name;
      Json nodes;
      std::string message;
    };
    const std::vector<Case> table = {
        {"fork without join",
         {in, fork("f", {"a", "b"}), station("a", 1, deterministic(1), "out"), b, join("j", "out"),
          out},
         R"(bad.json: /nodes/1/to/0: found "a", expected a branch whose requests all reach a join )"
         R"(before any sink (they can reach the sink out without passing a join))"},
        {"k above the number of branches",
         {in, fork("f", {"a", "b"}, 3), a, b, join("j", "out"), out},
         "bad.json: /nodes/1/k: found 3, expected an integer in [1, 2]"},
        {"k zero",
         {in, fork("f", {"a", "b"}, 0), a, b, join("j", "out"), out},
         "bad.json: /nodes/1/k: found 0, expected an integer in [1, 2]"},
        {"join reached without a fork",
         {source("in", deterministic(1), "j"), join("j", "out"), out},
         "bad.json: /nodes/1: found join j on a route from source in that passes no fork, "
         "expected a join that only the branches of its fork lead to"},
        {"branches ending at different joins",
         {in, fork("f", {"a", "b"}), a, station("b", 1, deterministic(1), "j2"), join("j", "out"),
          join("j2", "out"), out},
         R"(bad.json: /nodes/1/to/1: found "b", expected a branch that ends at the same join )"
         R"(as the fork's first branch (j), not at j2)"},
        {"one branch reaching two joins",
         {in, fork("f", {"a", "b"}),
          Json{{"name", "a"},
               {"type", "station"},
               {"service", deterministic(1)},
               {"to",
                Json::array({Json{{"node", "j"}, {"p", 0.5}}, Json{{"node", "j2"}, {"p", 0.5}}})}},
          b, join("j", "out"), join("j2", "out"), out},
         R"(bad.json: /nodes/1/to/0: found "a", expected a branch whose requests all end at one )"
         R"(join (they can reach both j and j2))"},
        {"two forks sharing a join",
         {source("in", deterministic(1), "f"), source("in2", deterministic(1), "g"),
          fork("f", {"a", "b"}), fork("g", {"c", "d"}), a, b,
          station("c", 1, deterministic(1), "j"), station("d", 1, deterministic(1), "j"),
          join("j", "out"), out},
         "bad.json: /nodes/3/to: found an array, expected branches that end at a join of this "
         "fork's own (j already collects the children of fork f)"},
        {"fork branches not a list",
         {in, Json{{"name", "f"}, {"type", "fork"}, {"to", "a"}}, a, join("j", "out"), out},
         R"(bad.json: /nodes/1/to: found "a", expected a non-empty list of distinct node names)"},
        {"join without a route",
         {in, fork("f", {"a", "b"}), a, b, Json{{"name", "j"}, {"type", "join"}}, out},
         R"(bad.json: /nodes/4: found no key "to", expected a node name, or a list of )"
         R"({"node": name, "p": probability} summing to 1)"},
    };
    for (const Case& c : table) {
      CAPTURE(c.name);
      CHECK(message_of_nodes(c.nodes) == c.message);
    }
  }

  TEST_CASE("well-formed fork-join structures load") {
    const Json nested = {source("in", deterministic(1), "outer"),
                         fork("outer", {"inner", "z"}),
                         fork("inner", {"x", "y"}),
                         station("x", 1, deterministic(1), "ij"),
                         station("y", 1, deterministic(1), "ij"),
                         join("ij", "oj"),
                         station("z", 1, deterministic(1), "oj"),
                         join("oj", "out"),
                         sink("out")};
    CHECK(message_of_nodes(nested) == "(no error)");
    // The parent may loop back through its own fork-join section.
    const Json loop = {source("in", deterministic(1), "f"),
                       fork("f", {"a", "b"}),
                       station("a", 1, deterministic(1), "j"),
                       station("b", 1, deterministic(1), "j"),
                       Json{{"name", "j"},
                            {"type", "join"},
                            {"to", Json::array({Json{{"node", "f"}, {"p", 0.5}},
                                                Json{{"node", "out"}, {"p", 0.5}}})}},
                       sink("out")};
    CHECK(message_of_nodes(loop) == "(no error)");
  }
}
