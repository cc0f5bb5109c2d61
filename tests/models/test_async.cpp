// Asynchronous hand-off ("async"): the caller is acknowledged at once, the message is processed
// by the consumer. Exact timelines, M/M/c theory for the consumer, and bad input.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "models/nodes/network.hpp"
#include "models/scenario/replication.hpp"
#include "scenario_builder.hpp"
#include "sim/analytic/estimator_variance.hpp"
#include "sim/analytic/queueing.hpp"
#include "tests/support/scenario_checks.hpp"
#include "tests/support/statistical_checks.hpp"

using namespace capsim;
using namespace capsim::testing;
using models::Replication;
using models::ReplicationResult;

namespace {

Json async(const std::string& name, const std::string& ack, const std::string& consumer) {
  return Json{{"name", name}, {"type", "async"}, {"to", Json::array({ack, consumer})}};
}

// Callers every `interarrival` s -> api (async): ack to "acked", messages to "workers" -> "done".
Json api_with_workers(Json arrival, int servers, Json service) {
  return {source("callers", std::move(arrival), "api"), async("api", "acked", "workers"),
          sink("acked"), station("workers", servers, std::move(service), "done"), sink("done")};
}

}  // namespace

TEST_CASE("async: callers are acknowledged at once while messages queue at the workers") {
  // Callers at 1, 2, ..., 10; one worker takes 1.5 s per message: the D/D/1 timeline of
  // test_station_exact, seen from the message queue.
  const auto s = scenario(
      api_with_workers(distribution("deterministic", 1), 1, distribution("deterministic", 1.5)), 10,
      0, 2, 1);
  Replication network(s, 0);
  const ReplicationResult r = network.run();
  const auto& api = r.nodes[1];
  CHECK(metric(api, "arrivals") == 10);
  CHECK(metric(api, "completions") == 6);  // at 2.5, 4, 5.5, 7, 8.5, 10
  CHECK(metric(api, "in_system.end") == 4);
  CHECK(metric(api, "W") == 16.5 / 6);            // processing delays 1.5, 2, ..., 4
  CHECK(metric(api, "consumer_lag") == 7.5 / 6);  // waits 0, 0.5, ..., 2.5 of those 6
  CHECK(metric(api, "L") == 2.25);                // = the worker station's L
  CHECK(metric(api, "L") == metric(r.nodes[3], "L"));
  // The callers' own journey ends at the acknowledgement.
  CHECK(metric(r.nodes[2], "completions") == 10);
  CHECK(metric(r.nodes[2], "W") == 0);
  CHECK(metric(r.system, "arrivals") == 10);
  CHECK(metric(r.system, "completions") == 10);
  CHECK(metric(r.system, "W") == 0);
  CHECK(metric(r.system, "L") == 0);
  // Messages do not count end to end; their sink still measures their processing delay.
  CHECK(metric(r.nodes[4], "completions") == 6);
  CHECK(metric(r.nodes[4], "W") == 16.5 / 6);
}

TEST_CASE("async: a rejected message is counted at the async node, not end to end") {
  Json workers = station("workers", 1, distribution("deterministic", 1.5), "done");
  workers["capacity"] = 1;
  const Json nodes = {source("callers", distribution("deterministic", 1), "api"),
                      async("api", "acked", "workers"), sink("acked"), workers, sink("done")};
  const auto s = scenario(nodes, 10, 0, 2, 1);
  Replication network(s, 0);
  const ReplicationResult r = network.run();
  const auto& api = r.nodes[1];
  // Messages at odd times are served (done at 2.5, 4.5, ...), those at even times rejected.
  CHECK(metric(api, "arrivals") == 10);
  CHECK(metric(api, "rejections") == 5);
  CHECK(metric(api, "completions") == 4);
  CHECK(metric(api, "in_system.end") == 1);
  CHECK(metric(api, "W") == 1.5);
  CHECK(metric(api, "consumer_lag") == 0);
  CHECK(metric(r.system, "rejections") == 0);
  CHECK(metric(r.system, "completions") == 10);
}

TEST_CASE("async: messages keep the caller's class and key") {
  Json nodes =
      api_with_workers(distribution("deterministic", 1), 1, distribution("deterministic", 0.5));
  nodes[0]["class"] = "bulk";
  Json document = {
      {"duration", 10},
      {"warmup", 0},
      {"classes", Json::array({Json{{"name", "interactive"}}, Json{{"name", "bulk"}}})},
      {"nodes", nodes}};
  const auto s = models::parse_scenario(std::move(document), "<test>");
  Replication network(s, 0);
  const ReplicationResult r = network.run();
  CHECK(metric(r.nodes[3], "throughput.bulk") == 0.9);  // done at 1.5, ..., 9.5
  CHECK(metric(r.nodes[3], "throughput.interactive") == 0);
}

TEST_SUITE("statistical") {
  TEST_CASE("async into an M/M/4 worker pool at rho 0.75: the message queue is Erlang C") {
    // Asserts |mean - theory| <= the 99.9% half-width, and the half-width within the cap its
    // standard error gives: the queue of messages and workers is the birth-death chain of
    // M/M/4, and the acknowledgements are the Poisson arrivals.
    const double lambda = 3, mu = 1;
    const int servers = 4;
    const auto s = scenario(api_with_workers(distribution("exponential", 1 / lambda), servers,
                                             distribution("exponential", 1 / mu)),
                            200000, 500, 10, 301);
    const auto result = models::run_experiment(s, 2);
    const auto m = analytic::mmc(lambda, mu, servers);
    const auto v = analytic::mmck_estimator_variances(lambda, mu, servers, std::nullopt);
    struct Expected {
      std::string metric;
      double theory;
      double variance_rate;
    };
    for (const Expected& x :
         {Expected{"W", m.W, v.W}, Expected{"L", m.L, v.L}, Expected{"consumer_lag", m.Wq, v.Wq},
          Expected{"throughput", lambda, lambda}}) {
      check_estimate(result, 1, x.metric, x.theory, asymptotic(x.variance_rate, s.duration));
    }
    // The callers' response is the acknowledgement: no time at all.
    CHECK(models::estimate_metric(result, 5, "W", kConfidence).mean == 0);
  }
}

TEST_SUITE("errors") {
  TEST_CASE("bad async nodes: one line naming pointer and value found and expectation") {
    const Json callers = source("callers", distribution("deterministic", 1), "api");
    const Json workers = station("workers", 1, distribution("deterministic", 1), "done");
    struct Case {
      std::string name;
      Json nodes;
      std::string message;
    };
    const std::vector<Case> table = {
        {"three targets",
         {callers,
          Json{{"name", "api"},
               {"type", "async"},
               {"to", Json::array({"acked", "workers", "done"})}},
          sink("acked"), workers, sink("done")},
         "bad.json: /nodes/1/to: found a list of 3 names, expected a list of exactly two node "
         "names [ack, consumer]: where the caller continues, and where the message goes"},
        {"one target",
         {callers, Json{{"name", "api"}, {"type", "async"}, {"to", Json::array({"acked"})}},
          sink("acked")},
         "bad.json: /nodes/1/to: found a list of 1 names, expected a list of exactly two node "
         "names [ack, consumer]: where the caller continues, and where the message goes"},
        {"a single name",
         {callers, Json{{"name", "api"}, {"type", "async"}, {"to", "acked"}}, sink("acked")},
         R"(bad.json: /nodes/1/to: found "acked", expected a non-empty list of distinct node )"
         R"(names)"},
        {"ack and consumer the same",
         {callers, Json{{"name", "api"}, {"type", "async"}, {"to", Json::array({"w", "w"})}},
          station("w", 1, distribution("deterministic", 1), "done"), sink("done")},
         R"(bad.json: /nodes/1/to/1: found "w", expected a node not already listed at )"
         R"(/nodes/1/to/0)"},
        {"unknown key",
         {callers,
          Json{{"name", "api"},
               {"type", "async"},
               {"ack", "acked"},
               {"to", Json::array({"acked", "workers"})}},
          sink("acked"), workers, sink("done")},
         R"(bad.json: /nodes/1/ack: found unknown key "ack", expected one of the keys name, )"
         R"(type, description or to)"},
    };
    for (const Case& c : table) {
      CAPTURE(c.name);
      CHECK(message_of_nodes(c.nodes) == c.message);
    }
  }
}
