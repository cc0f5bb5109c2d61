// Deterministic inter-arrival and service times give timelines that can be worked out by hand;
// every figure here is asserted exactly.
#include <doctest/doctest.h>

#include "models/nodes/network.hpp"
#include "models/scenario/replication.hpp"
#include "scenario_builder.hpp"
#include "tests/support/scenario_checks.hpp"

using namespace capsim::testing;
using capsim::models::Replication;
using capsim::models::ReplicationResult;

TEST_CASE("D/D/1 without queueing: arrivals at 1 - 2 - ... - 10 - service 0.5 s") {
  const Json nodes = {source("in", distribution("deterministic", 1.0), "s"),
                      station("s", 1, distribution("deterministic", 0.5), "out"), sink("out")};
  const auto r = run_once(nodes, 10, 0);
  const auto& s = r.nodes[1];
  // The arrival at t = 10 is inside the window (run_until includes its limit) and still in service.
  CHECK(metric(s, "arrivals") == 10);
  CHECK(metric(s, "completions") == 9);
  CHECK(metric(s, "in_system.end") == 1);
  CHECK(metric(s, "utilization") == 0.45);
  CHECK(metric(s, "L") == 0.45);
  CHECK(metric(s, "Lq") == 0);
  CHECK(metric(s, "W") == 0.5);
  CHECK(metric(s, "Wq") == 0);
  CHECK(metric(s, "p_wait") == 0);
  CHECK(metric(s, "throughput") == 0.9);
  CHECK(metric(s, "sojourn.p99") == 0.5);
  CHECK(metric(r.system, "W") == 0.5);
  CHECK(metric(r.nodes[2], "completions") == 9);
}

TEST_CASE("D/D/1 with a growing queue: arrivals every 1 s - service 1.5 s") {
  const Json nodes = {source("in", distribution("deterministic", 1.0), "s"),
                      station("s", 1, distribution("deterministic", 1.5), "out"), sink("out")};
  const auto r = run_once(nodes, 10, 0);
  const auto& s = r.nodes[1];
  // Departures at 2.5, 4, 5.5, 7, 8.5, 10; the 7th request starts at 10 after waiting 3 s.
  CHECK(metric(s, "arrivals") == 10);
  CHECK(metric(s, "completions") == 6);
  CHECK(metric(s, "in_system.end") == 4);
  CHECK(metric(s, "W") == 16.5 / 6);   // sojourns 1.5, 2, 2.5, 3, 3.5, 4
  CHECK(metric(s, "Wq") == 10.5 / 7);  // waits 0, 0.5, ..., 3 of the 7 services started
  CHECK(metric(s, "p_wait") == 6.0 / 7);
  CHECK(metric(s, "utilization") == 0.9);  // busy from 1 to 10
  CHECK(metric(s, "L") == 2.25);           // request-seconds in [0, 10]: 22.5
  CHECK(metric(s, "Lq") == 1.35);          // waiting request-seconds: 13.5
  CHECK(metric(s, "wait.p50") == doctest::Approx(1.5).epsilon(0.004));
  CHECK(metric(s, "wait.p99.9") == 3.0);  // the maximum is kept exactly
}

TEST_CASE("warm-up: statistics start at the end of the warm-up - state carries over") {
  const Json nodes = {source("in", distribution("deterministic", 1.0), "s"),
                      station("s", 1, distribution("deterministic", 1.5), "out"), sink("out")};
  const auto r = run_once(nodes, 5, 5);
  const auto& s = r.nodes[1];
  // At t = 5: requests 3, 4, 5 present (the arrival at 5 belongs to the warm-up).
  CHECK(metric(s, "in_system.start") == 3);
  CHECK(metric(s, "arrivals") == 5);
  CHECK(metric(s, "completions") == 4);  // at 5.5, 7, 8.5, 10
  CHECK(metric(s, "in_system.end") == 4);
  CHECK(metric(s, "W") == (2.5 + 3 + 3.5 + 4) / 4);  // whole sojourns, warm-up part included
  CHECK(metric(s, "utilization") == 1.0);
  CHECK(metric(r.system, "in_system.start") == 3);
  CHECK(metric(r.system, "arrivals") == 5);
}

TEST_CASE("finite capacity: arrivals that find K present are rejected and counted") {
  Json limited = station("s", 1, distribution("deterministic", 2.5), "out");
  limited["capacity"] = 2;
  const Json nodes = {source("in", distribution("deterministic", 1.0), "s"), limited, sink("out")};
  const auto r = run_once(nodes, 7, 0);
  const auto& s = r.nodes[1];
  // Arrivals at 1..7; rejected at 3, 5 and 7; departures at 3.5 and 6.
  CHECK(metric(s, "arrivals") == 7);
  CHECK(metric(s, "rejections") == 3);
  CHECK(metric(s, "completions") == 2);
  CHECK(metric(s, "in_system.end") == 2);
  CHECK(metric(s, "rejection_ratio") == 3.0 / 7);
  CHECK(metric(r.system, "rejections") == 3);
  CHECK(metric(r.system, "completions") == 2);
}

TEST_CASE("c servers: the longest-idle server takes the next request") {
  const Json nodes = {source("in", distribution("deterministic", 1.0), "s"),
                      station("s", 2, distribution("deterministic", 3.0), "out"), sink("out")};
  const auto r = run_once(nodes, 6, 0);
  const auto& s = r.nodes[1];
  // Server 0 busy from 1, server 1 from 2; both stay busy to the end of the window at 6.
  CHECK(metric(s, "utilization.server.0") == 5.0 / 6);
  CHECK(metric(s, "utilization.server.1") == 4.0 / 6);
  CHECK(metric(s, "utilization") == 0.75);
  // Departures at 4 and 5 run before the arrivals due then (scheduled earlier), so requests 3
  // and 4 start at 4 and 5 after waiting 1 s each; 5 and 6 are still waiting at 6.
  CHECK(metric(s, "completions") == 2);
  CHECK(metric(s, "Wq") == 0.5);  // waits 0, 0, 1, 1
  CHECK(metric(s, "in_system.end") == 4);
}

TEST_CASE("tandem: end-to-end sojourn is the sum of the stations' sojourns") {
  const Json nodes = {source("in", distribution("deterministic", 1.0), "a"),
                      station("a", 1, distribution("deterministic", 0.25), "b"),
                      station("b", 1, distribution("deterministic", 0.5), "out"), sink("out")};
  const auto r = run_once(nodes, 20, 2);
  CHECK(metric(r.system, "W") == 0.75);
  CHECK(metric(r.nodes[3], "W") == 0.75);
  CHECK(metric(r.system, "L") == doctest::Approx(0.75).epsilon(1e-12));
}

TEST_CASE("adding a component changes no other component's random draws") {
  const Json base = {source("in", distribution("exponential", 1.0), "s"),
                     station("s", 1, distribution("exponential", 0.5), "out"), sink("out")};
  Json extended = base;
  extended.push_back(source("other", distribution("exponential", 2.0), "t"));
  extended.push_back(
      station("t", 3, Json{{"dist", "lognormal"}, {"mean", 1.0}, {"cv", 2.0}}, "out2"));
  extended.push_back(sink("out2"));
  const auto a = run_once(base, 500, 50);
  const auto b = run_once(extended, 500, 50);
  const auto& before = a.nodes[1].values;
  const auto& after = b.nodes[1].values;
  CHECK(before.size() == after.size());
  for (std::size_t m = 0; m < before.size(); ++m) {
    CAPTURE(before[m].name);
    CHECK(before[m].value == after[m].value);
  }
}
