// Stations whose servers fail and are repaired: exact timelines of failures, requeues, drops and
// repairs; the M/M/c-with-breakdowns solution against a brute-force Markov chain written here
// independently; simulation against availability and that solution; bad input.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "models/nodes/network.hpp"
#include "models/scenario/replication.hpp"
#include "scenario_builder.hpp"
#include "sim/analytic/birth_death.hpp"
#include "sim/analytic/breakdowns.hpp"
#include "sim/analytic/queueing.hpp"
#include "tests/support/scenario_checks.hpp"
#include "tests/support/statistical_checks.hpp"

using namespace capsim;
using namespace capsim::testing;
using models::Replication;
using models::ReplicationResult;

namespace {

Json failing_station(int servers, Json service, Json failures) {
  Json node = station("s", servers, std::move(service), "out");
  node["failures"] = std::move(failures);
  return node;
}

Json failures(Json up, Json down, const std::string& lost = "requeue") {
  return Json{
      {"time_to_failure", std::move(up)}, {"time_to_repair", std::move(down)}, {"lost", lost}};
}

// The same model as analytic::mmc_with_breakdowns, as one generator over (n, u) truncated at
// `levels`, solved directly: an independent check of the matrix-analytic solution.
analytic::BreakdownMetrics brute_force(double lambda, double mu, int c, int levels, double gamma,
                                       double delta, bool drop, bool finite) {
  const int phases = c + 1;
  const int states = (levels + 1) * phases;
  auto at = [&](int n, int u) { return n * phases + u; };
  Eigen::MatrixXd q = Eigen::MatrixXd::Zero(states, states);
  for (int n = 0; n <= levels; ++n) {
    for (int u = 0; u <= c; ++u) {
      const int busy = std::min(n, u);
      if (n < levels) q(at(n, u), at(n + 1, u)) += lambda;
      if (busy > 0) q(at(n, u), at(n - 1, u)) += mu * busy;
      if (u > 0) {
        if (drop) {
          if (busy > 0) q(at(n, u), at(n - 1, u - 1)) += gamma * busy;
          if (u > busy) q(at(n, u), at(n, u - 1)) += gamma * (u - busy);
        } else {
          q(at(n, u), at(n, u - 1)) += gamma * u;
        }
      }
      if (u < c) q(at(n, u), at(n, u + 1)) += delta * (c - u);
    }
  }
  for (int i = 0; i < states; ++i) q(i, i) = -q.row(i).sum();
  Eigen::MatrixXd system = q.transpose();
  system.row(0).setOnes();
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(states);
  rhs(0) = 1;
  const Eigen::VectorXd pi = system.fullPivLu().solve(rhs);
  analytic::BreakdownMetrics m;
  double busy_mean = 0;
  for (int n = 0; n <= levels; ++n) {
    for (int u = 0; u <= c; ++u) {
      const double p = pi(at(n, u));
      m.L += n * p;
      busy_mean += std::min(n, u) * p;
      m.availability += p * u / c;
      if (finite && n == levels) m.blocking += p;
    }
  }
  m.throughput = mu * busy_mean;
  m.utilization = busy_mean / c;
  m.drop_rate = drop ? gamma * busy_mean : 0;
  m.Lq = m.L - busy_mean;
  return m;
}

void check_same(const analytic::BreakdownMetrics& a, const analytic::BreakdownMetrics& b) {
  CHECK(a.availability == doctest::Approx(b.availability).epsilon(1e-9));
  CHECK(a.throughput == doctest::Approx(b.throughput).epsilon(1e-9));
  CHECK(a.utilization == doctest::Approx(b.utilization).epsilon(1e-9));
  CHECK(a.L == doctest::Approx(b.L).epsilon(1e-8));
  CHECK(a.Lq == doctest::Approx(b.Lq).epsilon(1e-7));
  CHECK(a.blocking == doctest::Approx(b.blocking).epsilon(1e-9));
  CHECK(a.drop_rate == doctest::Approx(b.drop_rate).epsilon(1e-9));
}

}  // namespace

TEST_CASE("failures: a busy server fails - its request is requeued and restarts after repair") {
  // One server, service 4 s; up 10 s, down 3 s (down 10-13, 23-26, 36-39). Arrivals at 8, 16,
  // 24, 32. Request 1 starts at 8, is interrupted at 10, restarts at 13, done at 17 (sojourn 9);
  // request 2 waits 16-17, done 21 (5); request 3 finds the server down at 24, starts on its
  // repair at 26, done 30 (6); request 4 is in service at the end (35).
  const Json nodes = {source("in", distribution("deterministic", 8), "s"),
                      failing_station(1, distribution("deterministic", 4),
                                      failures(distribution("deterministic", 10),
                                               distribution("deterministic", 3))),
                      sink("out")};
  const auto r = run_once(nodes, 35);
  const auto& s = r.nodes[1];
  CHECK(metric(s, "arrivals") == 4);
  CHECK(metric(s, "completions") == 3);
  CHECK(metric(s, "rejections") == 0);
  CHECK(metric(s, "in_system.end") == 1);
  CHECK(metric(s, "W") == 20.0 / 3);
  CHECK(metric(s, "Wq") == (0 + 1 + 2 + 0) / 4.0);  // waits before the first service start
  CHECK(metric(s, "failures") == 2);
  CHECK(metric(s, "interrupted") == 1);
  CHECK(metric(s, "dropped") == 0);
  CHECK(metric(s, "availability") == 29.0 / 35);
  CHECK(metric(s, "utilization") == (2 + 4 + 4 + 4 + 3) / 35.0);
  CHECK(metric(s, "L") == (9 + 5 + 6 + 3) / 35.0);
}

TEST_CASE("failures: with lost = drop the interrupted request is rejected") {
  const Json nodes = {source("in", distribution("deterministic", 8), "s"),
                      failing_station(1, distribution("deterministic", 4),
                                      failures(distribution("deterministic", 10),
                                               distribution("deterministic", 3), "drop")),
                      sink("out")};
  const auto r = run_once(nodes, 35);
  const auto& s = r.nodes[1];
  // Request 1 is dropped at 10; request 2 is served 16-20; request 3 waits for the repair at 26
  // and is served 26-30; request 4 is in service at 35.
  CHECK(metric(s, "arrivals") == 4);
  CHECK(metric(s, "completions") == 2);
  CHECK(metric(s, "rejections") == 1);
  CHECK(metric(s, "dropped") == 1);
  CHECK(metric(s, "W") == (4 + 6) / 2.0);
  CHECK(metric(r.system, "rejections") == 1);
  CHECK(metric(r.system, "completions") == 2);
}

TEST_CASE("failures: an idle server that is up takes over an interrupted request at once") {
  // Two servers failing together at 10 (deterministic), repaired at 13. The request arriving at
  // 8 starts on server 0; at 10 server 0 fails and server 1, idle and still up, takes it over;
  // then server 1 fails too. At 13 server 0 is repaired first and serves it to 17.
  const Json nodes = {source("in", distribution("deterministic", 8), "s"),
                      failing_station(2, distribution("deterministic", 4),
                                      failures(distribution("deterministic", 10),
                                               distribution("deterministic", 3))),
                      sink("out")};
  const auto r = run_once(nodes, 15);
  const auto& s = r.nodes[1];
  CHECK(metric(s, "failures") == 2);
  CHECK(metric(s, "interrupted") == 2);
  CHECK(metric(s, "availability") == 24.0 / 30);
  CHECK(metric(s, "utilization.server.0") == 4.0 / 15);  // 8-10 and 13-15
  CHECK(metric(s, "utilization.server.1") == 0);         // for no time at all at 10
  CHECK(metric(s, "Wq") == 0);
  CHECK(metric(s, "in_system.end") == 1);
}

TEST_CASE("failures: servers that fail while idle are skipped until repaired") {
  // Both servers fail idle at 10 and are repaired at 13; the request arriving at 11 waits for
  // the repair: wait 2 s, then served 13-17.
  const Json nodes = {source("in", distribution("deterministic", 11), "s"),
                      failing_station(2, distribution("deterministic", 4),
                                      failures(distribution("deterministic", 10),
                                               distribution("deterministic", 3))),
                      sink("out")};
  const auto r = run_once(nodes, 15);
  const auto& s = r.nodes[1];
  CHECK(metric(s, "Wq") == 2);
  CHECK(metric(s, "Lq") == 2.0 / 15);
  CHECK(metric(s, "interrupted") == 0);
  CHECK(metric(s, "utilization") == 2.0 / 30);
}

TEST_CASE("breakdowns: the matrix-analytic solution matches a brute-force Markov chain") {
  using analytic::Interrupted;
  struct Case {
    int c;
    std::optional<int> capacity;
    bool drop;
  };
  for (const Case& k :
       {Case{1, std::nullopt, false}, Case{3, std::nullopt, false}, Case{3, std::nullopt, true},
        Case{2, 6, false}, Case{2, 6, true}, Case{4, 4, true}}) {
    CAPTURE(k.c);
    CAPTURE(k.capacity.value_or(-1));
    CAPTURE(k.drop);
    const double lambda = 0.5 * k.c, mu = 1, gamma = 0.2, delta = 1.5;
    const auto exact =
        analytic::mmc_with_breakdowns(lambda, mu, k.c, k.capacity, gamma, delta,
                                      k.drop ? Interrupted::drop : Interrupted::requeue);
    // Unlimited capacity: 400 levels leave a tail far below 1e-12 at these loads.
    const auto reference = brute_force(lambda, mu, k.c, k.capacity.value_or(400), gamma, delta,
                                       k.drop, k.capacity.has_value());
    check_same(exact, reference);
    CHECK(exact.availability == doctest::Approx(delta / (gamma + delta)).epsilon(1e-12));
  }
}

TEST_CASE("breakdowns: slow failures and repairs - unlimited capacity as the limit of a large K") {
  // Outages long against service times let the queue grow far during them: the regime where
  // the logarithmic reduction must stop on the size of its increments, not on a residual.
  for (auto interrupted : {analytic::Interrupted::requeue, analytic::Interrupted::drop}) {
    const auto unlimited =
        analytic::mmc_with_breakdowns(3, 2, 2, std::nullopt, 0.01, 0.1, interrupted);
    const auto large = analytic::mmc_with_breakdowns(3, 2, 2, 20000, 0.01, 0.1, interrupted);
    CHECK(std::isfinite(unlimited.L));
    CHECK(unlimited.L == doctest::Approx(large.L).epsilon(1e-6));
    CHECK(unlimited.throughput == doctest::Approx(large.throughput).epsilon(1e-9));
    CHECK(large.blocking < 1e-12);
  }
}

TEST_CASE("breakdowns: nearly perfect servers give M/M/c - instability is detected") {
  const auto m = analytic::mmc_with_breakdowns(3, 1, 4, std::nullopt, 1e-9, 1e3,
                                               analytic::Interrupted::requeue);
  const auto reference = analytic::mmc(3, 1, 4);
  CHECK(m.L == doctest::Approx(reference.L).epsilon(1e-6));
  CHECK(m.W == doctest::Approx(reference.W).epsilon(1e-6));
  // Requeue: stable iff lambda < mu c A. A = 10/11, c mu A = 3.64.
  CHECK_NOTHROW(analytic::mmc_with_breakdowns(3.6, 1, 4, std::nullopt, 0.1, 1,
                                              analytic::Interrupted::requeue));
  CHECK_THROWS_AS(analytic::mmc_with_breakdowns(3.7, 1, 4, std::nullopt, 0.1, 1,
                                                analytic::Interrupted::requeue),
                  std::domain_error);
  CHECK_THROWS_AS(
      analytic::mmc_with_breakdowns(1, 1, 0, std::nullopt, 0.1, 1, analytic::Interrupted::requeue),
      std::invalid_argument);
}

TEST_SUITE("statistical") {
  TEST_CASE("M/M/2 with exponential failures and repairs: availability and the QBD solution") {
    // lambda 1.2, mean service 1, 2 servers up for Exp(mean 20 s), down for Exp(mean 2 s):
    // availability 10/11; load per available server 0.66.
    for (const std::string lost : {"requeue", "drop"}) {
      CAPTURE(lost);
      const Json nodes = {source("in", distribution("exponential", 1 / 1.2), "s"),
                          failing_station(2, distribution("exponential", 1),
                                          failures(distribution("exponential", 20),
                                                   distribution("exponential", 2), lost)),
                          sink("out")};
      const auto s = scenario(nodes, 100000, 1000, 10, lost == "drop" ? 412 : 411);
      const auto result = models::run_experiment(s, 2);
      const auto m = analytic::mmc_with_breakdowns(
          1.2, 1, 2, std::nullopt, 1 / 20.0, 1 / 2.0,
          lost == "drop" ? analytic::Interrupted::drop : analytic::Interrupted::requeue);
      auto check = [&](const std::string& name, double theory, auto cap) {
        check_estimate(result, 1, name, theory, cap);
      };
      // The servers up are a birth-death chain of their own (each fails at 1/20, is repaired at
      // 1/2, independently), which gives the standard error of the availability.
      const analytic::BirthDeathProcess up{{2 / 2.0, 1 / 2.0}, {1 / 20.0, 2 / 20.0}};
      const double availability_variance =
          analytic::asymptotic_moments(up, {.level = {0, 0.5, 1}}).variance_rate;
      check("availability", 10.0 / 11, asymptotic(availability_variance, s.duration));
      // The queue with failures is a quasi-birth-death process, not one chain, and a failure
      // discards the service under way: detection goals but for the throughput of requeue,
      // which loses nothing, so its departures vary as its Poisson arrivals.
      if (lost == "requeue") {
        check("throughput", m.throughput, poisson_rate(1.2, s.duration));
      } else {
        check("throughput", m.throughput, DetectionGoal{0.02});
      }
      check("utilization", m.utilization, DetectionGoal{0.02});
      check("L", m.L, DetectionGoal{0.1});
      check("Lq", m.Lq, DetectionGoal{0.2});
      if (lost == "requeue") {
        check("W", m.W, DetectionGoal{0.1});
      } else {
        check("rejection_ratio", m.rejection_ratio, DetectionGoal{0.1});
        // Dropped requests leave after a stay without completing: Little's law holds for every
        // departure (departure_rate, W_departures), not for completions alone.
        const auto L = models::per_replication(result, 1, "L");
        const auto rate = models::per_replication(result, 1, "departure_rate");
        const auto sojourn = models::per_replication(result, 1, "W_departures");
        const auto start = models::per_replication(result, 1, "in_system.start");
        const auto end = models::per_replication(result, 1, "in_system.end");
        std::vector<double> difference;
        double edges = 0;  // requests straddling the window's edges, as validate allows
        for (std::size_t r = 0; r < L.size(); ++r) {
          difference.push_back(L[r] - rate[r] * sojourn[r]);
          edges += (start[r] + end[r]) * sojourn[r] / s.duration / static_cast<double>(L.size());
        }
        const sim::Estimate little = sim::estimate(difference, kConfidence);
        INFO("L - X W over departures: ", little.mean, " ± ", little.half_width, ", edges ", edges);
        CHECK(std::fabs(little.mean) <= std::max(little.half_width, edges));
      }
    }
  }
}

TEST_SUITE("errors") {
  TEST_CASE("bad failures: one line naming pointer and value found and expectation") {
    auto message_of = [](const Json& failures_value) {
      Json node = station("s", 1, distribution("exponential", 1), "out");
      node["failures"] = failures_value;
      try {
        Json document = {
            {"duration", 100},
            {"nodes", {source("in", distribution("exponential", 2), "s"), node, sink("out")}}};
        models::parse_scenario(std::move(document), "bad.json");
      } catch (const models::InputError& error) {
        return std::string(error.what());
      }
      return std::string("(no error)");
    };
    const Json up = distribution("exponential", 100);
    const Json down = distribution("exponential", 5);
    struct Case {
      std::string name;
      Json failures;
      std::string message;
    };
    const std::vector<Case> table = {
        {"MTTF zero", failures(Json{{"dist", "exponential"}, {"mean", 0}}, down),
         "bad.json: /nodes/1/failures/time_to_failure/mean: found 0, expected a number > 0"},
        {"MTTF negative", failures(Json{{"dist", "deterministic"}, {"mean", -3}}, down),
         "bad.json: /nodes/1/failures/time_to_failure/mean: found -3, expected a number > 0"},
        {"MTTR zero", failures(up, Json{{"dist", "exponential"}, {"mean", 0}}),
         "bad.json: /nodes/1/failures/time_to_repair/mean: found 0, expected a number > 0"},
        {"no repair", Json{{"time_to_failure", up}},
         R"(bad.json: /nodes/1/failures: found no key "time_to_repair", expected a )"
         R"("time_to_repair" distribution, s)"},
        {"unknown lost", failures(up, down, "requeu"),
         R"(bad.json: /nodes/1/failures/lost: found "requeu", expected what becomes of a failed )"
         R"(server's request: requeue or drop )"
         R"((did you mean "requeue"?))"},
        {"not an object", Json(3),
         R"(bad.json: /nodes/1/failures: found 3, expected an object {"time_to_failure": )"
         R"(distribution, "time_to_repair": distribution})"},
        {"unknown key", Json{{"time_to_failure", up}, {"time_to_repair", down}, {"mttf", 3}},
         R"(bad.json: /nodes/1/failures/mttf: found unknown key "mttf", expected one of the )"
         R"(keys time_to_failure, time_to_repair or lost)"},
    };
    for (const Case& c : table) {
      CAPTURE(c.name);
      CHECK(message_of(c.failures) == c.message);
    }
  }
}
