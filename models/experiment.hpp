#pragma once
// Independent replications of a scenario, run on several threads, summarized with confidence
// intervals. Results do not depend on the thread count: each replication has its own streams and
// summaries are computed in replication order.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/network.hpp"
#include "models/scenario.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

/// Every metric of one node (or of the whole system) across replications.
struct NodeSummary {
  std::string name;
  std::string type;  ///< "source", "station", "sink", or "system"
  std::vector<std::string> metrics;
  std::vector<sim::Estimate> estimates;  ///< parallel to `metrics`

  /// The estimate of a metric, or nullptr if this node does not report it.
  const sim::Estimate* find(std::string_view metric) const;
};

struct RunResult {
  double confidence = 0.95;
  std::vector<ReplicationResult> replications;
  std::vector<NodeSummary> nodes;  ///< scenario order
  NodeSummary system;
  std::uint64_t events = 0;  ///< over all replications
};

/// The value of `metric` in each replication, in replication order. `node` indexes the
/// scenario's nodes; nodes.size() means end to end.
std::vector<double> per_replication(const RunResult& result, std::size_t node,
                                    std::string_view metric);

/// The estimate of one metric with a Student-t interval at `confidence` over replications.
/// Percentiles ("sojourn.p99") take their point estimate from all replications pooled.
sim::Estimate estimate_metric(const RunResult& result, std::size_t node, std::string_view metric,
                              double confidence);

/// Summarizes finished replications (in replication order) with `confidence` intervals.
RunResult summarize(const Scenario& scenario, std::vector<ReplicationResult> replications,
                    double confidence);

/// Runs scenario.replications replications on up to `threads` threads (>= 1).
RunResult run_experiment(const Scenario& scenario, int threads, double confidence = 0.95);
/// The same, but throws Interrupted soon after `stop` is set: finished replications are dropped
/// rather than summarized as if they were the run asked for.
RunResult run_experiment(const Scenario& scenario, int threads, const std::atomic<bool>& stop,
                         double confidence = 0.95);

}  // namespace capsim::models
