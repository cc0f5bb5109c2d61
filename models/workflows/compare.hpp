#pragma once
// `capsim compare`: two variants run with common random numbers (the same seeds), compared by
// paired differences per replication, so a small real change is not hidden by run-to-run noise.

#include <string>
#include <vector>

#include "models/scenario/scenario.hpp"
#include "models/workflows/experiment.hpp"

namespace capsim::models {

struct MetricDifference {
  std::string node;
  std::string metric;
  sim::Estimate base;
  sim::Estimate candidate;
  sim::Estimate difference;  ///< candidate - base, paired by replication
  bool lower_is_better = true;
  /// "better", "worse" or "no significant change" (the difference's interval contains 0).
  std::string verdict;
};

struct Comparison {
  std::vector<MetricDifference> metrics;
  std::string verdict;  ///< "better", "worse", "mixed" or "no significant change"
};

/// Compares the nodes both variants have (matched by name) and end to end. The variants must
/// have the same number of replications.
Comparison compare_runs(const Scenario& base, const RunResult& base_result,
                        const Scenario& candidate, const RunResult& candidate_result);

std::string format_comparison(const Comparison& comparison);
Json comparison_json(const Comparison& comparison);

}  // namespace capsim::models
