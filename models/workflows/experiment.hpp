#pragma once
// Independent replications of a scenario, run on several threads, summarized with confidence
// intervals. Results do not depend on the thread count: each replication has its own streams and
// summaries are computed in replication order.

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/scenario/replication.hpp"
#include "models/scenario/scenario.hpp"
#include "models/workflows/precision.hpp"
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

/// Whether the run's confidence intervals can be trusted. They are Student-t intervals over
/// replication means, which assumes those means are near normal: each replication must be long
/// next to the system's relaxation time, and latencies must have a finite variance. The rule:
/// the intervals are flagged unreliable when the half-width of the end-to-end mean sojourn
/// exceeds kMaxRelativeHalfWidth of the mean, i.e. the replications disagree so widely that the
/// assumption is doubtful (and the estimate is of little use anyway). Two batch-means statistics
/// of the end-to-end sojourn (sim::BatchMeans: 32 to 63 consecutive batches of completions per
/// replication) are reported beside it and name the likely cause in the warning:
/// - the lag-1 autocorrelation of the batch means, averaged over replications: above
///   kHighBatchLag1, a batch is not long enough for the system to forget its state (a queue
///   near saturation); independent batch means give about 0 +- 0.2 / sqrt(R). Alone it does
///   not flag a run: a load that varies in time (a flash sale) correlates batches by design;
/// - the largest deviation of a batch mean from its replication's mean, in standard deviations
///   of all such deviations: above kHighBatchZ, a few requests (and those queued behind them)
///   outweigh the rest, as with heavy-tailed (e.g. Pareto alpha <= 2) service. Alone it does not
///   flag a run either: skewed but finite-variance latencies reach it too.
struct IntervalDiagnostic {
  static constexpr double kMaxRelativeHalfWidth = 0.1;
  static constexpr double kHighBatchLag1 = 0.5;
  static constexpr double kHighBatchZ = 5.5;

  double relative_half_width = std::numeric_limits<double>::quiet_NaN();  ///< of the sojourn
  double batch_lag1 = std::numeric_limits<double>::quiet_NaN();       ///< mean over replications
  double largest_batch_z = std::numeric_limits<double>::quiet_NaN();  ///< over all batches
  std::size_t largest_batch_replication = 0;                          ///< where that batch is
  /// One line when the rule fires; empty when the intervals look reliable.
  std::vector<std::string> warnings;

  bool reliable() const { return warnings.empty(); }
};

struct RunResult {
  double confidence = 0.95;
  std::vector<ReplicationResult> replications;
  std::vector<NodeSummary> nodes;  ///< scenario order
  NodeSummary system;
  std::uint64_t events = 0;  ///< over all replications
  IntervalDiagnostic diagnostic;
  /// What the run cannot stand behind beyond the intervals (an unstable station, a warm-up too
  /// short, ...): one line each, shown after the tables and in the JSON result.
  std::vector<std::string> warnings;
  /// Present when the replications ran until a relative precision (models/workflows/sequential).
  std::optional<PrecisionReport> precision;

  /// The interval diagnostic's warnings, then the others.
  std::vector<std::string> all_warnings() const;
};

/// The diagnostic of finished replications given the estimate of their end-to-end mean sojourn;
/// replications with fewer than 32 batches (too few completions) are left out of the batch
/// statistics.
IntervalDiagnostic diagnose_intervals(const std::vector<ReplicationResult>& replications,
                                      const sim::Estimate& sojourn);

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

/// Runs replications first, first + 1, ..., first + count - 1 of the scenario (each with its own
/// streams) on up to `threads` threads (>= 1); the results are in replication order. Throws
/// Interrupted soon after `stop` is set.
std::vector<ReplicationResult> run_replications(const Scenario& scenario, std::size_t first,
                                                std::size_t count, int threads,
                                                const std::atomic<bool>& stop);

/// Runs scenario.replications replications on up to `threads` threads (>= 1).
RunResult run_experiment(const Scenario& scenario, int threads, double confidence = 0.95);
/// The same, but throws Interrupted soon after `stop` is set: finished replications are dropped
/// rather than summarized as if they were the run asked for.
RunResult run_experiment(const Scenario& scenario, int threads, const std::atomic<bool>& stop,
                         double confidence = 0.95);

}  // namespace capsim::models
