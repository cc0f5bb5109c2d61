#pragma once
// Service-level objectives as a scenario declares them: thresholds on the metrics of a node
// or end to end (judged against a run in workflows/slo_check.hpp).

#include <string>
#include <vector>

#include "models/io/json_input.hpp"

namespace capsim::models {

struct Scenario;

/// One objective, e.g. {"node": "done", "metric": "sojourn.p99", "max": 0.25}.
struct Slo {
  std::string node;            ///< node name, or "end to end" when the scenario names none
  std::size_t node_index = 0;  ///< into the scenario's nodes; nodes.size() means end to end
  std::string metric;          ///< any metric the node reports
  bool is_max = true;          ///< the metric must stay <= threshold (else >=)
  double threshold = 0;

  /// "sojourn.p99 <= 0.25 at done".
  std::string describe() const;
};

/// The metric names each node reports, in scenario node order, then those reported end to end
/// (read off a freshly built, not run, replication).
std::vector<std::vector<std::string>> reported_metrics(const Scenario& scenario);

/// Reads the scenario's "slo" list, checking every node and metric name. Throws InputError.
std::vector<Slo> read_slos(const Json& document, const Scenario& scenario);

}  // namespace capsim::models
