// Bad scenarios must fail with one-line messages naming file, JSON pointer, value found and
// what was expected. The message text is part of the contract, so most cases pin it exactly.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/scenario/scenario.hpp"
#include "tests/support/scenario_checks.hpp"

using capsim::models::InputError;
using capsim::models::load_scenario;
using capsim::models::parse_json_text;
using capsim::models::parse_scenario;
using capsim::testing::error_message;
using capsim::testing::message_of;

namespace {

// A valid network "in" (source) -> "q" (station) -> "out" (sink). Each case breaks one thing, so
// the error it gets is the one the case is about.
const std::string kSource =
    R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "q"})";
const std::string kService = R"({"dist": "exponential", "mean": 0.5})";
const std::string kSink = R"({"name": "out", "type": "sink"})";

std::string with_nodes(const std::vector<std::string>& nodes) {
  std::string text = R"({"duration": 100, "nodes": [)";
  for (std::size_t i = 0; i < nodes.size(); ++i) text += (i > 0 ? ", " : "") + nodes[i];
  return text + "]}";
}

// Station "q" with extra fields (a leading comma is added), default service and route.
std::string station(const std::string& fields) {
  return R"({"name": "q", "type": "station", )" + fields + R"(, "service": )" + kService +
         R"(, "to": "out"})";
}

// The whole network with station "q" serving with `service`: errors land under /nodes/1/service.
std::string with_service(const std::string& service) {
  return with_nodes(
      {kSource, R"({"name": "q", "type": "station", "service": )" + service + R"(, "to": "out"})",
       kSink});
}

std::string with_arrival(const std::string& arrival) {
  return with_nodes(
      {R"({"name": "in", "type": "source", "arrival": )" + arrival + R"(, "to": "q"})",
       station(R"("servers": 1)"), kSink});
}

std::string top(const std::string& fields) {
  return "{" + fields + R"(, "nodes": [)" + kSource + ", " + station(R"("servers": 1)") + ", " +
         kSink + "]}";
}

// Node types come from the registry, so adding a type does not change these expectations.
const std::string kTypes =
    "a node type: " + capsim::models::one_of(capsim::models::node_type_names());
const std::string kRouteForm =
    R"(a node name, or a list of {"node": name, "p": probability} summing to 1)";
const std::string kDists =
    "exponential, deterministic, uniform, erlang, gamma, lognormal, hyperexponential, pareto or "
    "empirical";
const std::string kTopKeys =
    "one of the keys name, description, seed, replications, duration, warmup, nodes, slo, sweep "
    "or classes";
const std::string kStationKeys =
    "one of the keys name, type, description, servers, capacity, service, discipline, "
    "service_by_class, failures or to";

struct Case {
  std::string name;
  std::string text;
  std::string pointer;
  std::string found;
  // exact: the whole expectation; otherwise fragments it must contain (used where the wording
  // is expected to change, e.g. how large bounds are printed).
  std::vector<std::string> expected;
  bool exact;
};

Case exact(std::string name, std::string text, std::string pointer, std::string found,
           std::string expected) {
  return {std::move(name),  std::move(text),       std::move(pointer),
          std::move(found), {std::move(expected)}, true};
}

Case partial(std::string name, std::string text, std::string pointer, std::string found,
             std::vector<std::string> fragments) {
  return {std::move(name),  std::move(text),      std::move(pointer),
          std::move(found), std::move(fragments), false};
}

std::vector<Case> cases() {
  const std::string cycle =
      R"({"name": "a", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "b"})";
  const std::string cycle_back =
      R"({"name": "b", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "a"})";
  const std::string source_to_a =
      R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "a"})";
  return {
      // Document shape.
      exact("array document", "[]", "/", "an empty array",
            R"(a scenario object with "duration" and "nodes")"),
      exact("number document", "42", "/", "42", R"(a scenario object with "duration" and "nodes")"),
      exact("null document", "null", "/", "null",
            R"(a scenario object with "duration" and "nodes")"),
      exact("unknown top-level key", top(R"("duraton": 100)"), "/duraton",
            R"(unknown key "duraton")", kTopKeys + R"( (did you mean "duration"?))"),
      exact("unknown key far from any", top(R"("duration": 100, "colour": 1)"), "/colour",
            R"(unknown key "colour")", kTopKeys),
      exact("key escaped in pointer", top(R"("duration": 100, "a/b~c": 1)"), "/a~1b~0c",
            R"(unknown key "a/b~c")", kTopKeys),
      exact("name not a string", top(R"("duration": 100, "name": 5)"), "/name", "5",
            "a non-empty string"),

      // Run parameters.
      partial("missing duration", top(R"("seed": 1)"), "/", R"(no key "duration")",
              {"a number in (0, ", R"(at "duration")"}),
      partial("negative duration", top(R"("duration": -5)"), "/duration", "-5",
              {"a number in (0, "}),
      partial("zero duration", top(R"("duration": 0)"), "/duration", "0", {"a number in (0, "}),
      partial("duration as string", top(R"("duration": "100")"), "/duration", R"("100")",
              {"a number in (0, "}),
      partial("negative warmup", top(R"("duration": 100, "warmup": -1)"), "/warmup", "-1",
              {"a number in [0, "}),
      exact("one replication", top(R"("duration": 100, "replications": 1)"), "/replications", "1",
            "an integer in [2, 100000]"),
      exact("fractional replications", top(R"("duration": 100, "replications": 2.5)"),
            "/replications", "2.5", "an integer in [2, 100000]"),
      partial("negative seed", top(R"("duration": 100, "seed": -1)"), "/seed", "-1",
              {"an integer in [0, "}),

      // The nodes array.
      exact("missing nodes", R"({"duration": 100})", "/", R"(no key "nodes")",
            R"(a "nodes" array)"),
      exact("empty nodes", R"({"duration": 100, "nodes": []})", "/nodes", "an empty array",
            "a non-empty array of nodes"),
      exact("nodes an object", R"({"duration": 100, "nodes": {}})", "/nodes", "an empty object",
            "a non-empty array of nodes"),
      exact("node not an object", with_nodes({"42"}), "/nodes/0", "42",
            R"(a node object with "name" and "type")"),
      exact("missing name", with_nodes({R"({"type": "sink"})"}), "/nodes/0", R"(no key "name")",
            R"(a string at "name")"),
      exact("empty name", with_nodes({R"({"name": "", "type": "sink"})"}), "/nodes/0/name", R"("")",
            "a non-empty string"),
      exact("duplicate name",
            with_nodes({kSource, station(R"("servers": 1)"), R"({"name": "in", "type": "sink"})"}),
            "/nodes/2/name", R"("in")", "a unique name (also used by /nodes/0)"),
      partial("missing type", with_nodes({R"({"name": "q"})"}), "/nodes/0", R"(no key "type")",
              {R"("type")"}),
      exact("unknown type", with_nodes({R"({"name": "q", "type": "staton"})"}), "/nodes/0/type",
            R"("staton")", kTypes + R"( (did you mean "station"?))"),
      exact("long value is shortened",
            with_nodes({R"({"name": "q", "type": ")" + std::string(50, 'x') + R"("})"}),
            "/nodes/0/type", "\"" + std::string(37, 'x') + "...\"", kTypes),

      // Station fields.
      exact("unknown node key", with_nodes({kSource, station(R"("srvers": 2)"), kSink}),
            "/nodes/1/srvers", R"(unknown key "srvers")",
            kStationKeys + R"( (did you mean "servers"?))"),
      exact("sink with a route",
            with_nodes({kSource, station(R"("servers": 1)"),
                        R"({"name": "out", "type": "sink", "to": "in"})"}),
            "/nodes/2/to", R"(unknown key "to")",
            "one of the keys name, type, description or outcome"),
      exact("missing service",
            with_nodes({kSource, R"({"name": "q", "type": "station", "to": "out"})", kSink}),
            "/nodes/1", R"(no key "service")", R"(a "service" distribution of service times)"),
      exact("missing arrival", with_nodes({R"({"name": "in", "type": "source", "to": "q"})"}),
            "/nodes/0", R"(no key "arrival")",
            R"(an "arrival" distribution of inter-arrival times)"),
      exact("missing to",
            with_nodes({kSource, R"({"name": "q", "type": "station", "service": )" + kService + "}",
                        kSink}),
            "/nodes/1", R"(no key "to")", kRouteForm),
      exact("to not a string",
            with_nodes(
                {kSource,
                 R"({"name": "q", "type": "station", "service": )" + kService + R"(, "to": 3})",
                 kSink}),
            "/nodes/1/to", "3", kRouteForm),
      exact("servers as word", with_nodes({kSource, station(R"("servers": "four")"), kSink}),
            "/nodes/1/servers", R"("four")", "an integer in [1, 1000000]"),
      exact("fractional servers", with_nodes({kSource, station(R"("servers": 2.5)"), kSink}),
            "/nodes/1/servers", "2.5", "an integer in [1, 1000000]"),
      exact("boolean servers", with_nodes({kSource, station(R"("servers": true)"), kSink}),
            "/nodes/1/servers", "true", "an integer in [1, 1000000]"),
      exact("null servers", with_nodes({kSource, station(R"("servers": null)"), kSink}),
            "/nodes/1/servers", "null", "an integer in [1, 1000000]"),
      exact("zero servers", with_nodes({kSource, station(R"("servers": 0)"), kSink}),
            "/nodes/1/servers", "0", "an integer in [1, 1000000]"),
      exact("negative servers", with_nodes({kSource, station(R"("servers": -3)"), kSink}),
            "/nodes/1/servers", "-3", "an integer in [1, 1000000]"),
      exact("huge servers", with_nodes({kSource, station(R"("servers": 1e20)"), kSink}),
            "/nodes/1/servers", "1e+20", "an integer in [1, 1000000]"),
      partial("capacity below servers",
              with_nodes({kSource, station(R"("servers": 4, "capacity": 3)"), kSink}),
              "/nodes/1/capacity", "3", {"an integer in [4, "}),

      // Distributions.
      exact("zero rate", with_arrival(R"({"dist": "exponential", "rate": 0})"),
            "/nodes/0/arrival/rate", "0", "a number > 0"),
      exact("negative mean", with_service(R"({"dist": "exponential", "mean": -0.5})"),
            "/nodes/1/service/mean", "-0.5", "a number > 0"),
      exact("mean and rate", with_service(R"({"dist": "exponential", "mean": 0.5, "rate": 2.5})"),
            "/nodes/1/service/rate", "2.5", R"(either "mean" or "rate", not both)"),
      exact("neither mean nor rate", with_service(R"({"dist": "exponential"})"), "/nodes/1/service",
            R"(neither "mean" nor "rate")", "exactly one of them (> 0)"),
      exact("deterministic without mean", with_service(R"({"dist": "deterministic", "k": 2})"),
            "/nodes/1/service/k", R"(unknown key "k")", "one of the keys dist, mean or rate"),
      partial("unknown dist", with_service(R"({"dist": "exponental", "mean": 1})"),
              "/nodes/1/service/dist", R"("exponental")",
              {kDists, R"((did you mean "exponential"?))"}),
      partial("dist not a string", with_service(R"({"dist": 3, "mean": 1})"),
              "/nodes/1/service/dist", "3", {kDists}),
      exact("missing dist", with_service(R"({"mean": 1})"), "/nodes/1/service", R"(no key "dist")",
            R"(a "dist" naming one of )" + kDists),
      exact("service not an object", with_service("0.5"), "/nodes/1/service", "0.5",
            R"(a distribution object such as {"dist": "exponential", "mean": 0.1})"),
      exact("lognormal cv zero", with_service(R"({"dist": "lognormal", "mean": 1, "cv": 0})"),
            "/nodes/1/service/cv", "0", "a number in (0, 1000]"),
      exact("lognormal cv negative",
            with_service(R"({"dist": "lognormal", "mean": 1, "cv": -0.5})"), "/nodes/1/service/cv",
            "-0.5", "a number in (0, 1000]"),
      exact("hyperexponential cv one",
            with_service(R"({"dist": "hyperexponential", "mean": 1, "cv": 1})"),
            "/nodes/1/service/cv", "1", "a number in (1, 1000]"),
      partial("pareto alpha one", with_service(R"({"dist": "pareto", "mean": 1, "alpha": 1})"),
              "/nodes/1/service/alpha", "1", {"a number in (1, "}),
      partial("gamma shape zero", with_service(R"({"dist": "gamma", "mean": 1, "shape": 0})"),
              "/nodes/1/service/shape", "0", {"a number in (0, "}),
      exact("uniform high below low", with_service(R"({"dist": "uniform", "low": 2, "high": 1})"),
            "/nodes/1/service/high", "1", "a number >= low (2)"),
      exact("uniform with mean", with_service(R"({"dist": "uniform", "mean": 1})"),
            "/nodes/1/service/mean", R"(unknown key "mean")", "one of the keys dist, low or high"),
      partial("erlang k zero", with_service(R"({"dist": "erlang", "mean": 1, "k": 0})"),
              "/nodes/1/service/k", "0", {"an integer in [1, "}),
      exact("empirical empty", with_service(R"({"dist": "empirical", "values": []})"),
            "/nodes/1/service/values", "an empty array", "a non-empty array of numbers >= 0"),
      exact("empirical negative value", with_service(R"({"dist": "empirical", "values": [1, -1]})"),
            "/nodes/1/service/values/1", "-1", "a number in [0, 1e+15]"),
      exact("empirical string value", with_service(R"({"dist": "empirical", "values": [1, "2"]})"),
            "/nodes/1/service/values/1", R"("2")", "a number in [0, 1e+15]"),
      exact("empirical all zeros", with_service(R"({"dist": "empirical", "values": [0, 0]})"),
            "/nodes/1/service/values", "only zeros", "values with a mean > 0"),

      // Routing.
      exact("to names no node (typo)",
            with_nodes(
                {kSource,
                 R"({"name": "q", "type": "station", "service": )" + kService + R"(, "to": "ot"})",
                 kSink}),
            "/nodes/1/to", R"("ot")", R"(the name of a node: in, q or out (did you mean "out"?))"),
      exact("to names no node",
            with_nodes({kSource,
                        R"({"name": "q", "type": "station", "service": )" + kService +
                            R"(, "to": "database"})",
                        kSink}),
            "/nodes/1/to", R"("database")", "the name of a node: in, q or out"),
      exact("to a source",
            with_nodes(
                {kSource,
                 R"({"name": "q", "type": "station", "service": )" + kService + R"(, "to": "in"})",
                 kSink}),
            "/nodes/1/to", R"("in")", "a node that accepts requests (a source generates them)"),
      exact("cycle with no way out", with_nodes({cycle, cycle_back, source_to_a, kSink}),
            "/nodes/0/to", R"("b")",
            "a route that reaches a sink (requests would loop a -> b -> a forever: a cycle with "
            "no way out)"),
      // Reported on the cycle itself, not on the source that leads into it.
      exact("cycle fed by a source", with_nodes({source_to_a, cycle, cycle_back, kSink}),
            "/nodes/1/to", R"("b")",
            "a route that reaches a sink (requests would loop a -> b -> a forever: a cycle with "
            "no way out)"),
      exact("self-loop",
            with_nodes(
                {kSource,
                 R"({"name": "q", "type": "station", "service": )" + kService + R"(, "to": "q"})",
                 kSink}),
            "/nodes/1/to", R"("q")",
            "a route that reaches a sink (requests would loop q -> q forever: a cycle with no "
            "way out)"),
      exact("no source", with_nodes({station(R"("servers": 1)"), kSink}), "/nodes",
            R"(no node of type "source")", "at least one source"),

      // Every node type's own keys, sane limits beyond each key's range, and the top-level
      // sections (slo, sweep, classes).
      exact("delay without delay",
            with_nodes({kSource, R"({"name": "q", "type": "delay", "to": "out"})", kSink}),
            "/nodes/1", R"(no key "delay")", R"(a "delay" distribution, s)"),
      exact(
          "delay with a negative mean",
          with_nodes(
              {kSource,
               R"({"name": "q", "type": "delay", "delay": {"dist": "deterministic", "mean": -1}, "to": "out"})",
               kSink}),
          "/nodes/1/delay/mean", R"(-1)", R"(a number > 0)"),
      exact(
          "delay shorter than a nanosecond",
          with_nodes(
              {kSource,
               R"({"name": "q", "type": "delay", "delay": {"dist": "deterministic", "mean": 1e-300}, "to": "out"})",
               kSink}),
          "/nodes/1/delay/mean", R"(1e-300)", R"(a mean in [1e-09, 1e+15])"),
      exact(
          "sink with capacity",
          with_nodes(
              {kSource,
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               R"({"name": "out", "type": "sink", "capacity": 3})"}),
          "/nodes/2/capacity", R"(unknown key "capacity")",
          R"(one of the keys name, type, description or outcome)"),
      exact("sink outcome misspelt",
            with_nodes({kSource, station(R"("servers": 1)"),
                        R"({"name": "out", "type": "sink", "outcome": "failure"})"}),
            "/nodes/2/outcome", R"("failure")",
            "the outcome of the requests that reach the sink: success or error"),
      exact(
          "fractional users",
          with_nodes(
              {R"({"name": "in", "type": "clients", "users": 2.5, "think": {"dist": "exponential", "mean": 1}, "to": "q"})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/0/users", R"(2.5)", R"(an integer in [1, 1000000])"),
      exact(
          "zero users",
          with_nodes(
              {R"({"name": "in", "type": "clients", "users": 0, "think": {"dist": "exponential", "mean": 1}, "to": "q"})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/0/users", R"(0)", R"(an integer in [1, 1000000])"),
      exact(
          "10^12 users",
          with_nodes(
              {R"({"name": "in", "type": "clients", "users": 1e12, "think": {"dist": "exponential", "mean": 1}, "to": "q"})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/0/users", R"(1000000000000.0)", R"(an integer in [1, 1000000])"),
      exact(
          "clients without think",
          with_nodes(
              {R"({"name": "in", "type": "clients", "users": 5, "to": "q"})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/0", R"(no key "think")", R"(a "think" distribution of think times, s)"),
      exact(
          "route to clients",
          with_nodes(
              {kSource,
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "in"})",
               R"({"name": "in2", "type": "clients", "users": 5, "think": {"dist": "exponential", "mean": 1}, "to": "q"})",
               kSink}),
          "/nodes/1/to", R"("in")", R"(a node that accepts requests (a source generates them))"),
      exact(
          "fork waits for more branches than it has",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "f"})",
               R"({"name": "f", "type": "fork", "k": 3, "to": ["a", "b"]})",
               R"({"name": "a", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "j"})",
               R"({"name": "b", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "j"})",
               R"({"name": "j", "type": "join", "to": "out"})", kSink}),
          "/nodes/1/k", R"(3)", R"(an integer in [1, 2])"),
      exact(
          "fork to one name",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "f"})",
               R"({"name": "f", "type": "fork", "to": "a"})",
               R"({"name": "a", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "j"})",
               R"({"name": "j", "type": "join", "to": "out"})", kSink}),
          "/nodes/1/to", R"("a")", R"(a non-empty list of distinct node names)"),
      exact(
          "join with k",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "f"})",
               R"({"name": "f", "type": "fork", "to": ["a", "b"]})",
               R"({"name": "a", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "j"})",
               R"({"name": "b", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "j"})",
               R"({"name": "j", "type": "join", "k": 2, "to": "out"})", kSink}),
          "/nodes/4/k", R"(unknown key "k")", R"(one of the keys name, type, description or to)"),
      exact(
          "async to three names",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "m"})",
               R"({"name": "m", "type": "async", "to": ["out", "q", "out2"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink, R"({"name": "out2", "type": "sink"})"}),
          "/nodes/1/to", R"(a list of 3 names)",
          R"(a list of exactly two node names [ack, consumer]: where the caller continues, and where the message goes)"),
      exact(
          "balancer policy typo",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "lb"})",
               R"({"name": "lb", "type": "balancer", "policy": "round_robn", "to": ["a", "b"]})",
               R"({"name": "a", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               R"({"name": "b", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/policy", R"("round_robn")",
          R"(a balancing policy: random, weighted_random, round_robin, smooth_weighted_round_robin, least_connections, weighted_least_connections, power_of_d or consistent_hash (did you mean "round_robin"?))"),
      exact(
          "balancer weights per backend",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "lb"})",
               R"({"name": "lb", "type": "balancer", "policy": "weighted_random", "weights": [1, 2, 3], "to": ["a", "b"]})",
               R"({"name": "a", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               R"({"name": "b", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/weights", R"(3 weights)", R"(one weight per backend in "to" (2))"),
      exact(
          "balancer d with round robin",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "lb"})",
               R"({"name": "lb", "type": "balancer", "policy": "round_robin", "d": 2, "to": ["a", "b"]})",
               R"({"name": "a", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               R"({"name": "b", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/d", R"(key "d" with policy "round_robin")",
          R"(no "d": only policy power_of_d takes it)"),
      exact(
          "balancer backend listed twice",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "lb"})",
               R"({"name": "lb", "type": "balancer", "policy": "random", "to": ["a", "a"]})",
               R"({"name": "a", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/to/1", R"("a")", R"(a node not already listed at /nodes/1/to/0)"),
      exact(
          "limiter without algorithm",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "rl"})",
               R"({"name": "rl", "type": "limiter", "rate": 10, "burst": 5, "to": ["q"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1", R"(no key "algorithm")",
          R"(a rate-limiting algorithm: fixed_window, sliding_window_log, sliding_window_counter, token_bucket, leaky_bucket_meter or leaky_bucket_queue)"),
      exact(
          "limiter burst with fixed window",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "rl"})",
               R"({"name": "rl", "type": "limiter", "algorithm": "fixed_window", "limit": 10, "window": 1, "burst": 5, "to": ["q"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/burst", R"(key "burst" with algorithm "fixed_window")",
          R"(no "burst": only algorithms token_bucket or leaky_bucket_meter take it)"),
      exact(
          "fractional limiter limit",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "rl"})",
               R"({"name": "rl", "type": "limiter", "algorithm": "fixed_window", "limit": 2.5, "window": 1, "to": ["q"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/limit", R"(2.5)", R"(an integer in [1, 1e+09])"),
      exact(
          "limiter rate beyond limits",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "rl"})",
               R"({"name": "rl", "type": "limiter", "algorithm": "token_bucket", "rate": 1e12, "burst": 5, "to": ["q"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/rate", R"(1000000000000.0)", R"(a number in (0, 1e+09])"),
      exact(
          "lru cache without capacity",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "c"})",
               R"({"name": "c", "type": "cache", "policy": "lru", "to": ["out", "q"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1", R"(no key "capacity")",
          R"(a "capacity" (the most keys cached) for policy lru)"),
      exact(
          "ttl with lru",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "c"})",
               R"({"name": "c", "type": "cache", "policy": "lru", "capacity": 10, "ttl": 5, "to": ["out", "q"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/ttl", R"(5)", R"(no "ttl" with policy lru (only with policy ttl))"),
      exact(
          "cache to three names",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "c"})",
               R"({"name": "c", "type": "cache", "capacity": 10, "to": ["out", "q", "out"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/to", R"(a list of 3 names)",
          R"(a list of two node names: [where hits go, where misses go])"),
      exact(
          "cache capacity 10^12",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "c"})",
               R"({"name": "c", "type": "cache", "capacity": 1e12, "to": ["out", "q"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/capacity", R"(1000000000000.0)", R"(an integer in [1, 1e+08])"),
      exact(
          "writes with perfect lfu",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "c"})",
               R"({"name": "c", "type": "cache", "policy": "perfect_lfu", "capacity": 10, "writes": {"rate": 1}, "to": ["out", "q"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/writes", R"(an object)",
          R"(no writes with policy perfect_lfu (an invalidated key keeps its count, which breaks its O(1) bookkeeping): use lfu)"),
      exact(
          "retry without a bound",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "r"})",
               R"({"name": "r", "type": "retry", "timeout": 1, "to": ["q", "out"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1", R"(neither "attempts" nor "budget")",
          R"(a bound on retries: "attempts" (most calls per request, the first included) or a retry "budget" (a retry loop without either could amplify the load without limit))"),
      exact(
          "retry zero attempts",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "r"})",
               R"({"name": "r", "type": "retry", "attempts": 0, "to": ["q", "out"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/attempts", R"(0)", R"(an integer in [1, 1000000])"),
      exact(
          "backoff kind typo",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "r"})",
               R"({"name": "r", "type": "retry", "attempts": 3, "backoff": {"kind": "exponentail", "base": 0.1}, "to": ["q", "out"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/backoff/kind", R"("exponentail")",
          R"(a backoff kind: fixed or exponential (did you mean "exponential"?))"),
      exact(
          "retry timeout beyond limits",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "r"})",
               R"({"name": "r", "type": "retry", "attempts": 3, "timeout": 1e300, "to": ["q", "out"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/timeout", R"(1e+300)", R"(a number in (0, 1e+15])"),
      exact(
          "breaker failure ratio 1",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "b"})",
               R"({"name": "b", "type": "breaker", "failure_ratio": 1, "open_for": 1, "to": ["q", "out"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/failure_ratio", R"(1)", R"(a number in [0, 1))"),
      exact(
          "breaker zero probes",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "b"})",
               R"({"name": "b", "type": "breaker", "failure_ratio": 0.5, "open_for": 1, "probes": 0, "to": ["q", "out"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/probes", R"(0)", R"(an integer in [1, 1000000])"),
      exact(
          "breaker without open_for",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "b"})",
               R"({"name": "b", "type": "breaker", "failure_ratio": 0.5, "to": ["q", "out"]})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1", R"(no key "open_for")", R"(a number in (0, 1e+15] at "open_for")"),
      exact(
          "profile not starting at 0",
          with_nodes(
              {R"({"name": "in", "type": "source", "profile": {"shape": "piecewise_constant", "points": [[5, 1]]}, "to": "q"})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/0/profile/points/0/0", R"(5)", R"(0 (a profile starts at time 0))"),
      exact(
          "arrival and profile",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "profile": {"shape": "piecewise_constant", "points": [[0, 1]]}, "to": "q"})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/0/profile", R"(both "arrival" and "profile")",
          R"(exactly one of "arrival" (renewal arrivals), "profile" (a time-varying rate) or "trace" (replayed arrivals))"),
      exact(
          "alpha with uniform keys",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "keys": {"count": 10, "alpha": 0.8}, "to": "q"})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/0/keys/alpha", R"(0.8)",
          R"(no "alpha" with uniform popularity ("alpha" is the exponent of "popularity": "zipf"))"),
      exact(
          "fractional key count",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "keys": {"count": 10.5}, "to": "q"})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/0/keys/count", R"(10.5)", R"(an integer in [1, 1e+15])"),
      exact(
          "arrival rate beyond limits",
          with_nodes(
              {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1e300}, "to": "q"})",
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/0/arrival/rate", R"(1e+300)", R"(a rate in [1e-15, 1e+09])"),
      exact(
          "service mean below a nanosecond",
          with_nodes(
              {kSource,
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 1e-300}, "to": "out"})",
               kSink}),
          "/nodes/1/service/mean", R"(1e-300)", R"(a mean in [1e-09, 1e+15])"),
      exact(
          "uniform high below a nanosecond",
          with_nodes(
              {kSource,
               R"({"name": "q", "type": "station", "service": {"dist": "uniform", "low": 0, "high": 1e-300}, "to": "out"})",
               kSink}),
          "/nodes/1/service/high", R"(1e-300)", R"(a number in [1e-09, 1e+15])"),
      exact(
          "10^12 servers",
          with_nodes(
              {kSource,
               R"({"name": "q", "type": "station", "servers": 1e12, "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/servers", R"(1000000000000.0)", R"(an integer in [1, 1000000])"),
      exact(
          "discipline typo",
          with_nodes(
              {kSource,
               R"({"name": "q", "type": "station", "discipline": "priorty", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"})",
               kSink}),
          "/nodes/1/discipline", R"("priorty")",
          R"("fifo" or "priority" (did you mean "priority"?))"),
      exact(
          "failures without repair",
          with_nodes(
              {kSource,
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "failures": {"time_to_failure": {"dist": "exponential", "mean": 100}}, "to": "out"})",
               kSink}),
          "/nodes/1/failures", R"(no key "time_to_repair")",
          R"(a "time_to_repair" distribution, s)"),
      exact(
          "service for an unknown class", with_nodes({kSource, R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "service_by_class": {"gold": {"dist": "exponential", "mean": 0.1}}, "to": "out"})", kSink}),
          "/nodes/1/service_by_class/gold", R"(unknown class "gold")",
          R"(a class defined in "classes": default)"),
      exact(
          "probability above 1",
          with_nodes(
              {kSource,
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": [{"node": "out", "p": 1.5}]})",
               kSink}),
          "/nodes/1/to/0/p", R"(1.5)", R"(a number in [0, 1])"),
      exact(
          "probabilities summing to 0.9",
          with_nodes(
              {kSource,
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": [{"node": "out", "p": 0.5}, {"node": "out2", "p": 0.4}]})",
               kSink, R"({"name": "out2", "type": "sink"})"}),
          "/nodes/1/to", R"(probabilities summing to 0.9)", R"(probabilities summing to 1)"),
      exact(
          "route without p",
          with_nodes(
              {kSource,
               R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": [{"node": "out"}]})",
               kSink}),
          "/nodes/1/to/0", R"(no key "p")", R"(a number in [0, 1] at "p")"),
      exact(
          "slo metric typo",
          top(R"("duration": 100, "slo": [{"node": "q", "metric": "utilisation", "max": 0.8}])"),
          "/slo/0/metric", R"("utilisation")",
          R"(a metric q reports: arrivals, completions, rejections, in_system.start, in_system.end, arrival_rate, throughput, rejection_ratio, utilization, L, Lq, W, Wq, p_wait, wait.p50, wait.p90, wait.p95, wait.p99, wait.p99.9, sojourn.p50, sojourn.p90, sojourn.p95, sojourn.p99, sojourn.p99.9 or utilization.server.0 (did you mean "utilization"?))"),
      exact("slo unknown node",
            top(R"("duration": 100, "slo": [{"node": "db", "metric": "W", "max": 0.8}])"),
            "/slo/0/node", R"("db")", R"(a node name (in, q or out) or "end to end")"),
      exact("slo with max and min",
            top(R"("duration": 100, "slo": [{"metric": "W", "max": 0.8, "min": 0.1}])"), "/slo/0",
            R"(both "max" and "min")",
            R"(exactly one threshold: "max" (metric <= max) or "min" (metric >= min))"),
      exact("sweep without step",
            top(R"("duration": 100, "sweep": [{"path": "nodes.q.servers", "from": 1, "to": 4}])"),
            "/sweep/0", R"(no key "step")", R"(a number > 0 at "step")"),
      exact("duplicate class",
            top(R"("duration": 100, "classes": [{"name": "gold"}, {"name": "gold"}])"),
            "/classes/1/name", R"("gold")", R"(a unique class name (also used by /classes/0))"),
      exact("class name with a dot", top(R"("duration": 100, "classes": [{"name": "gold.plus"}])"),
            "/classes/0/name", R"("gold.plus")", R"(a class name of letters, digits, '_' or '-')"),
      exact("duration beyond limits", top(R"("duration": 1e16)"), "/duration", R"(1e+16)",
            R"(a number in (0, 1e+15])"),
      exact("seed beyond limits", top(R"("duration": 100, "seed": 1e16)"), "/seed", R"(1e+16)",
            R"(an integer in [0, 9e+15])"),
      exact("replications as text", top(R"("duration": 100, "replications": "8")"), "/replications",
            R"("8")", R"(an integer in [2, 100000])"),
  };
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// One line, so the CLI's "capsim: error: ..." stays one line.
void check_one_line(const std::string& message, const std::string& file) {
  CHECK(message.find('\n') == std::string::npos);
  CHECK(message.rfind(file + ": ", 0) == 0);
}

// A fresh directory (mkdtemp), so parallel test runs do not share files.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "capsim_errors_XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

std::string load_message(const std::string& path) {
  return error_message([&] { load_scenario(path); });
}

}  // namespace

TEST_SUITE("errors") {
  TEST_CASE("the network the table breaks is valid") {
    // Otherwise a case could fail for a reason other than the one it is about.
    CHECK_NOTHROW(parse_scenario(
        parse_json_text(with_nodes({kSource, station(R"("servers": 1)"), kSink}), "good.json"),
        "good.json"));
    CHECK_NOTHROW(
        parse_scenario(parse_json_text(with_service(kService), "good.json"), "good.json"));
    CHECK_NOTHROW(
        parse_scenario(parse_json_text(top(R"("duration": 100)"), "good.json"), "good.json"));
  }

  TEST_CASE("near-misses of the rules are accepted") {
    // Guards against the checks rejecting too much: boundary values that are valid.
    const std::vector<std::string> good = {
        with_nodes({kSource, station(R"("servers": 1e3)"), kSink}),
        with_nodes({kSource, station(R"("servers": 4, "capacity": 4)"), kSink}),
        with_service(R"({"dist": "uniform", "low": 2, "high": 2})"),
        with_service(R"({"dist": "empirical", "values": [0, 1]})"),
        with_service(R"({"dist": "erlang", "rate": 4, "k": 2})"),
        top(R"("duration": 100, "replications": 2, "seed": 0, "warmup": 0)"),
    };
    for (const auto& text : good) {
      CAPTURE(text);
      CHECK(message_of(text) == "(no error)");
    }
  }

  // No comma in test names: doctest_discover_tests then drops the suite label.
  TEST_CASE("bad scenarios: one line naming pointer and value found and expectation") {
    const auto table = cases();
    CHECK(table.size() >= 60);
    for (const Case& c : table) {
      CAPTURE(c.name);
      CAPTURE(c.text);
      CHECK_THROWS_AS(parse_scenario(parse_json_text(c.text, "bad.json"), "bad.json"), InputError);
      const std::string message = message_of(c.text);
      CAPTURE(message);
      check_one_line(message, "bad.json");
      const std::string head = "bad.json: " + c.pointer + ": found " + c.found + ", expected ";
      if (c.exact) {
        CHECK(message == head + c.expected.front());
      } else {
        CHECK(message.rfind(head, 0) == 0);
        for (const auto& fragment : c.expected) CHECK(contains(message, fragment));
      }
    }
  }

  TEST_CASE("the table has bad scenarios for every node type") {
    const auto table = cases();
    for (const auto& type : capsim::models::node_type_names()) {
      CAPTURE(type);
      const std::string needle = R"("type": ")" + type + R"(")";
      CHECK(std::any_of(table.begin(), table.end(), [&](const Case& c) {
        return c.text.find(needle) != std::string::npos && c.pointer.find("/nodes/") == 0;
      }));
    }
  }

  TEST_CASE("nesting beyond the limit is refused before parsing") {
    // 100000 nested arrays would overflow the stack in the JSON library's recursive copy.
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    CHECK(message_of(deep) ==
          "bad.json: line 1, column 101: found arrays and objects nested more than 100 deep, "
          "expected at most 100 levels of nesting");
    const std::string in_a_node = R"({"duration": 1, "nodes": [{"name": "a", "type": "sink", )"
                                  R"("description": )" +
                                  deep + "}]}";
    CHECK(message_of(in_a_node) ==
          "bad.json: line 1, column 169: found arrays and objects nested more than 100 deep, "
          "expected at most 100 levels of nesting");
    // Brackets inside strings do not count, and 100 levels are accepted.
    CHECK(message_of(top(R"("duration": 100, "name": ")" + std::string(150, '[') + R"(")")) ==
          "(no error)");
    CHECK_NOTHROW(parse_json_text(std::string(100, '[') + std::string(100, ']'), "ok.json"));
  }

  TEST_CASE("bytes that are not UTF-8 are refused and shown escaped") {
    const std::string text = "{\"duration\": 100, \"name\": \"\xff\xfe\", \"nodes\": []}";
    const std::string message = message_of(text);
    CAPTURE(message);
    CHECK(message.rfind("bad.json: not valid JSON: parse error at line 1, column 28: ", 0) == 0);
    CHECK(contains(message, "ill-formed UTF-8 byte"));
    CHECK(contains(message, "\\xFF"));
    CHECK_FALSE(capsim::models::invalid_utf8(message).has_value());
    CHECK(capsim::models::invalid_utf8("caf\xc3\xa9") == std::nullopt);
    CHECK(capsim::models::invalid_utf8("caf\xc3") == 3u);
    CHECK(capsim::models::invalid_utf8("\xc0\x80") == 0u);       // overlong
    CHECK(capsim::models::invalid_utf8("a\xed\xa0\x80") == 1u);  // surrogate
  }

  TEST_CASE("an unreachable node is a warning naming it") {
    const auto scenario = parse_scenario(
        parse_json_text(with_nodes({kSource, station(R"("servers": 1)"), kSink,
                                    R"({"name": "spare", "type": "station", "service": )" +
                                        kService + R"(, "to": "out"})"}),
                        "w.json"),
        "w.json");
    REQUIRE(scenario.warnings.size() == 1);
    CHECK(scenario.warnings.front() ==
          R"(w.json: /nodes/3: node "spare" is unreachable: no route from a source leads to )"
          R"(it, so it sees no requests)");
    CHECK(parse_scenario(parse_json_text(top(R"("duration": 100)"), "w.json"), "w.json")
              .warnings.empty());
  }

  TEST_CASE("syntax errors give line and column") {
    struct Syntax {
      std::string text;
      std::string position;
    };
    const std::vector<Syntax> table = {
        {"{\"duration\": 100,\n  \"nodes\": [}", "line 2, column 13"},
        {"{\"duration\": 100,}", "line 1, column 18"},
        {"{\"duration\": 100", "line 1, column 17"},
        {"", "line 1, column 1"},
        {"{'duration': 100}", "line 1, column 2"},
    };
    for (const auto& s : table) {
      CAPTURE(s.text);
      std::string message;
      try {
        parse_json_text(s.text, "bad.json");
      } catch (const InputError& error) {
        message = error.what();
      }
      CAPTURE(message);
      check_one_line(message, "bad.json");
      CHECK(message.rfind("bad.json: not valid JSON: parse error at " + s.position + ": ", 0) == 0);
      // nlohmann's "[json.exception.parse_error.101]" prefix is noise to a user.
      CHECK_FALSE(contains(message, "json.exception"));
    }
  }

  // nlohmann throws out_of_range.406, not parse_error, for numbers beyond double range.
  TEST_CASE("a number beyond double range is bad input") {
    std::string message;
    CHECK_THROWS_AS(parse_json_text(R"({"duration": 1e400, "nodes": []})", "bad.json"), InputError);
    try {
      parse_json_text(R"({"duration": 1e400, "nodes": []})", "bad.json");
    } catch (const std::exception& error) {
      message = error.what();
    }
    CAPTURE(message);
    check_one_line(message, "bad.json");
    CHECK(contains(message, "1e400"));
  }

  // The value is echoed as written ("2", not "2.0").
  TEST_CASE("a conflicting rate is echoed as written") {
    CHECK(
        message_of(with_service(R"({"dist": "exponential", "mean": 0.5, "rate": 2})")) ==
        R"(bad.json: /nodes/1/service/rate: found 2, expected either "mean" or "rate", not both)");
  }

  // No suggestion for one-letter words: "q" is not "corrected" to the unrelated "in".
  TEST_CASE("no did-you-mean between unrelated short names") {
    const std::string text = with_nodes(
        {R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "q"})",
         R"({"name": "out", "type": "sink"})"});
    CHECK(message_of(text) ==
          R"(bad.json: /nodes/0/to: found "q", expected the name of a node: in or out)");
  }

  TEST_CASE("load_scenario: files that cannot be scenarios") {
    TempDir dir;
    const std::string missing = (dir.path / "missing.json").string();
    CHECK(load_message(missing) == missing + ": cannot open: no such readable file");

    const std::string directory = (dir.path / "scenario.json").string();
    std::filesystem::create_directory(directory);
    CHECK(load_message(directory) ==
          directory + ": is a directory, expected a scenario file (JSON)");

    const std::string empty = (dir.path / "empty.json").string();
    std::ofstream(empty).close();
    CHECK(load_message(empty) == empty + ": /: found an empty file, expected a scenario object");

    // Whitespace only is as empty as no bytes at all, not a JSON syntax error.
    const std::string blank = (dir.path / "blank.json").string();
    std::ofstream(blank) << " \n\t\n";
    CHECK(load_message(blank) == blank + ": /: found an empty file, expected a scenario object");

    // The path, not a placeholder, names the file in load errors.
    const std::string broken = (dir.path / "broken.json").string();
    std::ofstream(broken) << R"({"duration": 100, "nodes": [{"name": "in", "type": "source", )"
                             R"("arrival": {"dist": "exponential", "rate": 1}, "to": "nowhere"}]})";
    const std::string message = load_message(broken);
    check_one_line(message, broken);
    CHECK(message == broken + R"(: /nodes/0/to: found "nowhere", expected the name of a node: in)");
  }

  TEST_CASE("load_scenario reads the shipped example") {
    const auto scenario = load_scenario(CAPSIM_SOURCE_DIR "/scenarios/mm1.json");
    CHECK(scenario.nodes.size() == 3);
    CHECK(scenario.replications == 8);
  }
}
