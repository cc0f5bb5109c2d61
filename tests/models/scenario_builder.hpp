#pragma once
// Small helpers to build scenarios in tests without JSON files.

#include <string>

#include "models/scenario/scenario.hpp"
#include "models/workflows/experiment.hpp"

namespace capsim::testing {

using models::Json;

inline Json distribution(const std::string& dist, double mean) {
  return Json{{"dist", dist}, {"mean", mean}};
}

inline Json source(const std::string& name, Json arrival, const std::string& to) {
  return Json{{"name", name}, {"type", "source"}, {"arrival", std::move(arrival)}, {"to", to}};
}

inline Json station(const std::string& name, int servers, Json service, const std::string& to) {
  return Json{{"name", name},
              {"type", "station"},
              {"servers", servers},
              {"service", std::move(service)},
              {"to", to}};
}

inline Json sink(const std::string& name) {
  return Json{{"name", name}, {"type", "sink"}};
}

inline models::Scenario scenario(Json nodes, double duration, double warmup, int replications,
                                 std::uint64_t seed) {
  Json document = {{"seed", seed},
                   {"duration", duration},
                   {"warmup", warmup},
                   {"replications", replications},
                   {"nodes", std::move(nodes)}};
  return models::parse_scenario(std::move(document), "<test>");
}

/// The value of a metric in a single replication; throws if the node does not report it.
inline double metric(const models::Metrics& metrics, const std::string& name) {
  for (const auto& m : metrics.values) {
    if (m.name == name) return m.value;
  }
  throw std::out_of_range("no metric " + name);
}

}  // namespace capsim::testing
