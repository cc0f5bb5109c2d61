// Request classes and non-preemptive priority: the Cobham and M/M/c priority formulas against an
// independent numerical solution of the Markov chain, exact priority timelines, simulation
// against theory, and bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/nodes/network.hpp"
#include "models/scenario/replication.hpp"
#include "models/workflows/validate.hpp"
#include "scenario_builder.hpp"
#include "sim/analytic/estimator_variance.hpp"
#include "sim/analytic/fork_join.hpp"
#include "sim/analytic/priority.hpp"
#include "sim/analytic/queueing.hpp"
#include "tests/support/approx.hpp"
#include "tests/support/scenario_checks.hpp"
#include "tests/support/statistical_checks.hpp"

using namespace capsim;
using namespace capsim::testing;
using models::Replication;
using models::ReplicationResult;

namespace {

// Stationary distribution of a finite continuous-time Markov chain by Gauss-Seidel sweeps on the
// balance equations pi_s out_s = sum_t pi_t q(t, s). `transitions(s, add)` calls add(t, rate) for
// every transition out of state s.
std::vector<double> stationary(
    std::size_t states,
    const std::function<void(std::size_t, const std::function<void(std::size_t, double)>&)>&
        transitions) {
  std::vector<std::vector<std::pair<std::size_t, double>>> incoming(states);
  std::vector<double> out(states, 0.0);
  for (std::size_t s = 0; s < states; ++s) {
    transitions(s, [&](std::size_t t, double rate) {
      incoming[t].emplace_back(s, rate);
      out[s] += rate;
    });
  }
  // States without transitions out are unreachable ones of the encoding: probability 0.
  std::vector<double> pi(states);
  for (std::size_t s = 0; s < states; ++s) pi[s] = out[s] > 0 ? 1.0 : 0.0;
  for (int sweep = 0; sweep < 100000; ++sweep) {
    double change = 0;
    for (std::size_t s = 0; s < states; ++s) {
      double inflow = 0;
      for (const auto& [t, rate] : incoming[s]) inflow += pi[t] * rate;
      const double next = out[s] > 0 ? inflow / out[s] : 0.0;
      change = std::max(change, std::fabs(next - pi[s]));
      pi[s] = next;
    }
    double total = 0;
    for (double p : pi) total += p;
    for (double& p : pi) p /= total;
    if (change < 1e-15) break;
  }
  return pi;
}

// Two classes (class 0 served first) at one exponential server, non-preemptive: state (waiting
// of class 0, waiting of class 1, class in service or idle), queues truncated at `limit`.
// Returns the mean wait of each class by Little's law, Wq_k = E[waiting_k] / lambda_k.
std::vector<double> mm1_priority_by_markov_chain(double lambda0, double mu0, double lambda1,
                                                 double mu1, std::size_t limit) {
  const std::size_t side = limit + 1;
  auto index = [&](std::size_t i, std::size_t j, std::size_t serving) {
    return (i * side + j) * 3 + serving;  // serving: 0 idle, 1 class 0, 2 class 1
  };
  const auto pi = stationary(side * side * 3, [&](std::size_t s, const auto& add) {
    const std::size_t serving = s % 3, j = (s / 3) % side, i = s / 3 / side;
    if (serving == 0) {
      if (i == 0 && j == 0) {
        add(index(0, 0, 1), lambda0);
        add(index(0, 0, 2), lambda1);
      }
      return;
    }
    if (i < limit) add(index(i + 1, j, serving), lambda0);
    if (j < limit) add(index(i, j + 1, serving), lambda1);
    const double mu = serving == 1 ? mu0 : mu1;
    if (i > 0) {
      add(index(i - 1, j, 1), mu);
    } else if (j > 0) {
      add(index(i, j - 1, 2), mu);
    } else {
      add(index(0, 0, 0), mu);
    }
  });
  double waiting0 = 0, waiting1 = 0;
  for (std::size_t s = 0; s < pi.size(); ++s) {
    waiting0 += pi[s] * static_cast<double>(s / 3 / side);
    waiting1 += pi[s] * static_cast<double>((s / 3) % side);
  }
  return {waiting0 / lambda0, waiting1 / lambda1};
}

// Two classes at c exponential servers with the same rate mu: state (waiting of class 0,
// waiting of class 1, busy servers); the queues are non-empty only when all servers are busy.
std::vector<double> mmc_priority_by_markov_chain(double lambda0, double lambda1, double mu,
                                                 std::size_t servers, std::size_t limit) {
  const std::size_t side = limit + 1, busy_states = servers + 1;
  auto index = [&](std::size_t i, std::size_t j, std::size_t busy) {
    return (i * side + j) * busy_states + busy;
  };
  const auto pi = stationary(side * side * busy_states, [&](std::size_t s, const auto& add) {
    const std::size_t busy = s % busy_states, j = (s / busy_states) % side,
                      i = s / busy_states / side;
    if (busy < servers) {
      if (i > 0 || j > 0) return;  // unreachable: nobody waits while a server is idle
      add(index(0, 0, busy + 1), lambda0 + lambda1);
    } else {
      if (i < limit) add(index(i + 1, j, busy), lambda0);
      if (j < limit) add(index(i, j + 1, busy), lambda1);
    }
    if (busy == 0) return;
    const double rate = static_cast<double>(busy) * mu;
    if (busy == servers && i > 0) {
      add(index(i - 1, j, busy), rate);
    } else if (busy == servers && j > 0) {
      add(index(i, j - 1, busy), rate);
    } else {
      add(index(i, j, busy - 1), rate);
    }
  });
  double waiting0 = 0, waiting1 = 0;
  for (std::size_t s = 0; s < pi.size(); ++s) {
    waiting0 += pi[s] * static_cast<double>(s / busy_states / side);
    waiting1 += pi[s] * static_cast<double>((s / busy_states) % side);
  }
  return {waiting0 / lambda0, waiting1 / lambda1};
}

Json classes(std::vector<std::pair<std::string, int>> list) {
  Json out = Json::array();
  for (const auto& [name, priority] : list) out.push_back({{"name", name}, {"priority", priority}});
  return out;
}

models::Scenario with_classes(Json nodes, Json class_list, double duration, double warmup,
                              int replications, std::uint64_t seed) {
  Json document = {{"seed", seed},
                   {"duration", duration},
                   {"warmup", warmup},
                   {"replications", replications},
                   {"classes", std::move(class_list)},
                   {"nodes", std::move(nodes)}};
  return models::parse_scenario(std::move(document), "<test>");
}

Json classed_source(const std::string& name, Json arrival, const std::string& to,
                    const std::string& request_class) {
  Json node = source(name, std::move(arrival), to);
  node["class"] = request_class;
  return node;
}

}  // namespace

TEST_SUITE("analytic") {
  TEST_CASE("Cobham M/G/1 priority: a hand-worked two-class example") {
    // gold: lambda 0.2, exponential mean 1 (E[S^2] = 2); bronze: lambda 0.15, exponential mean 2
    // (E[S^2] = 8). W0 = (0.2 * 2 + 0.15 * 8) / 2 = 0.8; rho_gold = 0.2, rho = 0.5.
    // Wq_gold = 0.8 / (1 - 0.2) = 1; Wq_bronze = 0.8 / ((1 - 0.2)(1 - 0.5)) = 2.
    const auto waits = analytic::mg1_priority_waits({{0.2, 1, 1, 0}, {0.15, 2, 1, 1}});
    CHECK(waits[0] == rel(1.0, 1e-14));
    CHECK(waits[1] == rel(2.0, 1e-14));
  }

  TEST_CASE("Cobham M/M/1 priority agrees with the Markov chain solved numerically") {
    for (const auto& [lambda0, mu0, lambda1, mu1] :
         std::vector<std::array<double, 4>>{{0.2, 1, 0.15, 0.5}, {0.3, 1.5, 0.3, 1}}) {
      const auto formula =
          analytic::mg1_priority_waits({{lambda0, 1 / mu0, 1, 0}, {lambda1, 1 / mu1, 1, 1}});
      const auto chain = mm1_priority_by_markov_chain(lambda0, mu0, lambda1, mu1, 90);
      const double arrival_rate_0 = lambda0;  // a copy: clang 14 cannot capture bindings
      CAPTURE(arrival_rate_0);
      CHECK(formula[0] == rel(chain[0], 1e-8));
      CHECK(formula[1] == rel(chain[1], 1e-8));
    }
  }

  TEST_CASE("M/M/c priority agrees with the Markov chain solved numerically") {
    const double lambda0 = 0.6, lambda1 = 0.8, mu = 1;
    const auto formula = analytic::mmc_priority_waits({lambda0, lambda1}, {0, 1}, mu, 2);
    const auto chain = mmc_priority_by_markov_chain(lambda0, lambda1, mu, 2, 120);
    CHECK(formula[0] == rel(chain[0], 1e-8));
    CHECK(formula[1] == rel(chain[1], 1e-8));
  }

  TEST_CASE("one priority level is Pollaczek-Khinchine and Erlang C") {
    // Two classes at the same level: FIFO over the mixture of their service times.
    const auto waits = analytic::mg1_priority_waits({{0.3, 1, 0.5, 4}, {0.2, 2, 2, 4}});
    const double mean = (0.3 * 1 + 0.2 * 2) / 0.5;
    const double second_moment = (0.3 * 1 * 1.5 + 0.2 * 4 * 3) / 0.5;
    const double mixture_scv = second_moment / (mean * mean) - 1;
    const double pk = analytic::mg1(0.5, mean, mixture_scv).Wq;
    CHECK(waits[0] == rel(pk, 1e-12));
    CHECK(waits[1] == rel(pk, 1e-12));
    const auto mmc = analytic::mmc_priority_waits({0.5, 1.5}, {3, 3}, 1, 3);
    CHECK(mmc[0] == rel(analytic::mmc(2, 1, 3).Wq, 1e-12));
  }

  TEST_CASE("Kleinrock's conservation law holds for non-preemptive priority") {
    // sum_k rho_k Wq_k = rho W0 / (1 - rho) for any work-conserving non-preemptive order.
    const std::vector<analytic::PriorityClass> k = {
        {0.1, 2, 0.5, 2}, {0.2, 1, 1, 0}, {0.15, 1.5, 2, 1}};
    const auto waits = analytic::mg1_priority_waits(k);
    double weighted = 0, rho = 0, w0 = 0;
    for (std::size_t i = 0; i < k.size(); ++i) {
      weighted += k[i].arrival_rate * k[i].mean_service * waits[i];
      rho += k[i].arrival_rate * k[i].mean_service;
      w0 += k[i].arrival_rate * k[i].mean_service * k[i].mean_service * (1 + k[i].service_scv) / 2;
    }
    CHECK(weighted == rel(rho * w0 / (1 - rho), 1e-12));
  }

  TEST_CASE("priority formulas reject bad arguments and unstable loads") {
    CHECK_THROWS_AS(analytic::mg1_priority_waits({}), std::invalid_argument);
    CHECK_THROWS_AS(analytic::mg1_priority_waits({{0.5, 0, 1, 0}}), std::invalid_argument);
    CHECK_THROWS_AS(analytic::mg1_priority_waits({{0.6, 1, 1, 0}, {0.5, 1, 1, 1}}),
                    std::domain_error);
    CHECK_THROWS_AS(analytic::mmc_priority_waits({1, 1}, {0}, 1, 2), std::invalid_argument);
    CHECK_THROWS_AS(analytic::mmc_priority_waits({1, 1}, {0, 1}, 1, 2), std::domain_error);
  }

  TEST_CASE("fork-join closed forms: Flatto-Hahn and Nelson-Tantawi limits") {
    // rho -> 0: the response is the mean of the largest of K exponentials, H_K / mu.
    CHECK(analytic::fork_join_two_mm1(1e-9, 2) == rel(1.5 / 2, 1e-8));
    CHECK(analytic::fork_join_mm1_nelson_tantawi(4, 1e-9, 1) ==
          rel(analytic::harmonic_number(4), 1e-8));
    // Exact for two branches; (12 - rho)/8/(mu - lambda) at rho = 0.5: 2.875.
    CHECK(analytic::fork_join_two_mm1(0.5, 1) == rel(2.875, 1e-14));
    CHECK(analytic::fork_join_mm1_nelson_tantawi(2, 0.5, 1) == rel(2.875, 1e-14));
    CHECK(analytic::harmonic_number(3) == rel(11.0 / 6, 1e-15));
    CHECK_THROWS_AS(analytic::fork_join_two_mm1(1, 1), std::domain_error);
    CHECK_THROWS_AS(analytic::fork_join_mm1_nelson_tantawi(1, 0.5, 1), std::invalid_argument);
  }
}

TEST_CASE("priority: a waiting gold request is served before bronze requests that came first") {
  // Bronze arrives at 1, 2, 3, ...; gold at 2.5, 5, 7.5, 10; service 2 s. Worked by hand:
  // B1 1-3; G1 (waiting since 2.5) 3-5 ahead of B2; G2 (arrived at 5, just before the server
  // freed) 5-7; B2 7-9 after waiting 5 s; G3 (since 7.5) starts at 9.
  const Json nodes = {classed_source("gold_in", distribution("deterministic", 2.5), "q", "gold"),
                      classed_source("bronze_in", distribution("deterministic", 1), "q", "bronze"),
                      Json{{"name", "q"},
                           {"type", "station"},
                           {"discipline", "priority"},
                           {"service", distribution("deterministic", 2)},
                           {"to", "out"}},
                      sink("out")};
  const auto s = with_classes(nodes, classes({{"gold", 0}, {"bronze", 1}}), 10, 0, 2, 1);
  Replication network(s, 0);
  const ReplicationResult r = network.run();
  const auto& q = r.nodes[2];
  CHECK(metric(q, "completions") == 4);
  CHECK(metric(q, "W.gold") == 2.25);                                      // 2.5 and 2
  CHECK(metric(q, "Wq.gold") == doctest::Approx(2.0 / 3).epsilon(1e-12));  // 0.5, 0, 1.5
  CHECK(metric(q, "W.bronze") == 4.5);                                     // 2 and 7
  CHECK(metric(q, "Wq.bronze") == 2.5);                                    // 0 and 5
  CHECK(metric(q, "throughput.gold") == 0.2);
  CHECK(metric(q, "throughput.bronze") == 0.2);
  CHECK(metric(q, "sojourn.bronze.p99.9") == 7);
}

TEST_CASE("FIFO with per-class service: each class is served for its own time") {
  // Gold every 2 s (service 0.5 s), bronze every 3 s (service 1 s, the station's default).
  // At 6 both arrive; bronze's arrival was scheduled first, so gold waits until 7.
  const Json nodes = {classed_source("gold_in", distribution("deterministic", 2), "q", "gold"),
                      classed_source("bronze_in", distribution("deterministic", 3), "q", "bronze"),
                      Json{{"name", "q"},
                           {"type", "station"},
                           {"service", distribution("deterministic", 1)},
                           {"service_by_class", {{"gold", distribution("deterministic", 0.5)}}},
                           {"to", "out"}},
                      sink("out")};
  const auto s = with_classes(nodes, classes({{"gold", 0}, {"bronze", 1}}), 10, 0, 2, 1);
  Replication network(s, 0);
  const ReplicationResult r = network.run();
  const auto& q = r.nodes[2];
  CHECK(metric(q, "W.gold") == 0.75);   // 0.5, 0.5, 1.5, 0.5
  CHECK(metric(q, "Wq.gold") == 0.2);   // waits 0, 0, 1, 0, 0 (the 5th starts at 10)
  CHECK(metric(q, "W.bronze") == 1.0);  // 3-4, 6-7, 9-10
  CHECK(metric(q, "throughput.bronze") == 0.3);
}

TEST_CASE("a single class: no per-class metrics, and the FIFO station is unchanged") {
  const auto s = scenario({source("in", distribution("deterministic", 1), "q"),
                           station("q", 1, distribution("deterministic", 1.5), "out"), sink("out")},
                          10, 0, 2, 1);
  Replication network(s, 0);
  const ReplicationResult r = network.run();
  CHECK(std::isnan(r.nodes[1].value("W.default")));
  CHECK(metric(r.nodes[1], "W") == 16.5 / 6);
}

TEST_SUITE("statistical") {
  TEST_CASE("M/G/1 with 2 priority classes at rho 0.7 matches Cobham") {
    // gold: Poisson 0.3/s, exponential mean 1 s; bronze: Poisson 0.2/s, Erlang-2 mean 2 s.
    const Json nodes = {
        classed_source("gold_in", distribution("exponential", 1 / 0.3), "q", "gold"),
        classed_source("bronze_in", distribution("exponential", 1 / 0.2), "q", "bronze"),
        Json{{"name", "q"},
             {"type", "station"},
             {"discipline", "priority"},
             {"service", distribution("exponential", 1)},
             {"service_by_class", {{"bronze", {{"dist", "erlang"}, {"k", 2}, {"mean", 2}}}}},
             {"to", "out"}},
        sink("out")};
    const auto s =
        with_classes(nodes, classes({{"gold", 0}, {"bronze", 1}}), 400000, 2000, 10, 401);
    const auto result = models::run_experiment(s, 2);
    const auto waits = analytic::mg1_priority_waits({{0.3, 1, 1, 0}, {0.2, 2, 0.5, 1}});
    // Per-class waits: a two-class queue is no birth-death chain, so detection goals of 6%.
    check_estimate(result, 2, "Wq.gold", waits[0], DetectionGoal{0.06});    // 1.2857
    check_estimate(result, 2, "Wq.bronze", waits[1], DetectionGoal{0.06});  // 4.2857
    check_estimate(result, 2, "W.bronze", waits[1] + 2, DetectionGoal{0.06});
    // Nothing is lost: gold departures vary as gold's Poisson arrivals.
    check_estimate(result, 2, "throughput.gold", 0.3, poisson_rate(0.3, s.duration));
  }

  TEST_CASE("M/M/2 with 2 priority classes at rho 0.7 matches the M/M/c priority formula") {
    const Json nodes = {
        classed_source("gold_in", distribution("exponential", 1 / 0.6), "q", "gold"),
        classed_source("bronze_in", distribution("exponential", 1 / 0.8), "q", "bronze"),
        Json{{"name", "q"},
             {"type", "station"},
             {"servers", 2},
             {"discipline", "priority"},
             {"service", distribution("exponential", 1)},
             {"to", "out"}},
        sink("out")};
    const auto s =
        with_classes(nodes, classes({{"gold", 0}, {"bronze", 1}}), 300000, 2000, 10, 402);
    const auto result = models::run_experiment(s, 2);
    const auto waits = analytic::mmc_priority_waits({0.6, 0.8}, {0, 1}, 1, 2);
    check_estimate(result, 2, "Wq.gold", waits[0], DetectionGoal{0.08});
    check_estimate(result, 2, "Wq.bronze", waits[1], DetectionGoal{0.08});
    // The aggregate queue is M/M/2 whatever the order (same rates, work-conserving): its
    // birth-death chain gives the standard error too.
    check_estimate(
        result, 2, "L", analytic::mmc(1.4, 1, 2).L,
        asymptotic(analytic::mmck_estimator_variances(1.4, 1, 2, std::nullopt).L, s.duration));
  }
}

TEST_SUITE("errors") {
  TEST_CASE("bad classes: one line naming pointer and value found and expectation") {
    const std::string source =
        R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, )"
        R"("to": "q"})";
    const std::string station =
        R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, )"
        R"("to": "out"})";
    const std::string sink = R"({"name": "out", "type": "sink"})";
    auto document = [&](const std::string& class_list, const std::string& in,
                        const std::string& q) {
      return R"({"duration": 100, )" + class_list + R"("nodes": [)" + in + ", " + q + ", " + sink +
             "]}";
    };
    const std::string two = R"("classes": [{"name": "gold", "priority": 0}, )"
                            R"({"name": "bronze", "priority": 1}], )";
    auto with = [](std::string node, const std::string& fields) {
      return node.insert(node.size() - 1, ", " + fields);
    };
    struct Case {
      std::string name;
      std::string text;
      std::string message;
    };
    const std::vector<Case> table = {
        {"unknown class at a source", document(two, with(source, R"("class": "silver")"), station),
         R"(bad.json: /nodes/0/class: found "silver", expected a class defined in "classes": )"
         R"(gold or bronze)"},
        {"class typo", document(two, with(source, R"("class": "gld")"), station),
         R"(bad.json: /nodes/0/class: found "gld", expected a class defined in "classes": )"
         R"(gold or bronze (did you mean "gold"?))"},
        {"class without classes", document("", with(source, R"("class": "gold")"), station),
         R"(bad.json: /nodes/0/class: found "gold", expected a class defined in "classes": )"
         R"(default)"},
        {"duplicate class names",
         document(R"("classes": [{"name": "gold"}, {"name": "gold", "priority": 1}], )", source,
                  station),
         R"(bad.json: /classes/1/name: found "gold", expected a unique class name (also used )"
         R"(by /classes/0))"},
        {"empty classes", document(R"("classes": [], )", source, station),
         R"(bad.json: /classes: found an empty array, expected a non-empty list of classes )"
         R"({"name": name, "priority": integer})"},
        {"class name with a dot", document(R"("classes": [{"name": "a.b"}], )", source, station),
         R"(bad.json: /classes/0/name: found "a.b", expected a class name of letters, digits, )"
         R"('_' or '-')"},
        {"negative priority",
         document(R"("classes": [{"name": "a", "priority": -1}], )", source, station),
         "bad.json: /classes/0/priority: found -1, expected an integer in [0, 1000]"},
        {"unknown class key",
         document(R"("classes": [{"name": "a", "priorty": 1}], )", source, station),
         R"(bad.json: /classes/0/priorty: found unknown key "priorty", expected one of the keys name, )"
         R"(priority or description (did you mean "priority"?))"},
        {"service_by_class naming an unknown class",
         document(two, source,
                  with(station, R"("service_by_class": {"silver": {"dist": "exponential", )"
                                R"("mean": 1}})")),
         R"(bad.json: /nodes/1/service_by_class/silver: found unknown class "silver", expected )"
         R"(a class defined in "classes": gold or bronze)"},
        {"service_by_class empty",
         document(two, source, with(station, R"("service_by_class": {})")),
         "bad.json: /nodes/1/service_by_class: found an empty object, expected an object {class "
         "name: service distribution, ...}"},
        {"service_by_class bad distribution",
         document(two, source,
                  with(station, R"("service_by_class": {"gold": {"dist": "exponential"}})")),
         R"(bad.json: /nodes/1/service_by_class/gold: found neither "mean" nor "rate", expected )"
         R"(exactly one of them (> 0))"},
        {"unknown discipline", document(two, source, with(station, R"("discipline": "lifo")")),
         R"(bad.json: /nodes/1/discipline: found "lifo", expected "fifo" or "priority" )"
         R"((did you mean "fifo"?))"},
        {"discipline not a string", document(two, source, with(station, R"("discipline": 1)")),
         R"(bad.json: /nodes/1/discipline: found 1, expected "fifo" or "priority")"},
    };
    for (const Case& c : table) {
      CAPTURE(c.name);
      CAPTURE(c.text);
      CHECK(message_of(c.text) == c.message);
    }
  }
}

TEST_SUITE("theory") {
  TEST_CASE("validate plans Cobham checks for a priority station fed by Poisson sources") {
    const Json nodes = {
        classed_source("gold_in", distribution("exponential", 1 / 0.3), "q", "gold"),
        classed_source("bronze_in", distribution("exponential", 1 / 0.2), "q", "bronze"),
        Json{{"name", "q"},
             {"type", "station"},
             {"discipline", "priority"},
             {"service", distribution("exponential", 1)},
             {"to", "out"}},
        sink("out")};
    const auto s = with_classes(nodes, classes({{"gold", 0}, {"bronze", 1}}), 100, 10, 2, 1);
    const auto forms = models::closed_forms(s);
    const auto waits = analytic::mg1_priority_waits({{0.3, 1, 1, 0}, {0.2, 1, 1, 1}});
    REQUIRE(forms.count({2, "Wq.gold"}) == 1);
    CHECK(forms.at({2, "Wq.gold"}) == rel(waits[0], 1e-12));
    CHECK(forms.at({2, "Wq.bronze"}) == rel(waits[1], 1e-12));
    // The aggregate queue of an M/M/1 is the same under any work-conserving order.
    CHECK(forms.at({2, "L"}) == rel(analytic::mm1(0.5, 1).L, 1e-12));
  }

  TEST_CASE("validate explains why a priority station fed through another node has no theory") {
    const Json nodes = {
        classed_source("gold_in", distribution("exponential", 1 / 0.3), "front", "gold"),
        station("front", 1, distribution("exponential", 0.5), "q"),
        Json{{"name", "q"},
             {"type", "station"},
             {"discipline", "priority"},
             {"service", distribution("exponential", 1)},
             {"to", "out"}},
        sink("out")};
    const auto s = with_classes(nodes, classes({{"gold", 0}, {"bronze", 1}}), 100, 10, 2, 1);
    const auto forms = models::closed_forms(s);
    CHECK(forms.count({2, "Wq.gold"}) == 0);
    CHECK(forms.count({2, "L"}) == 0);
  }
}
