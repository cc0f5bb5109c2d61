#pragma once
// Replications until the chosen metrics reach a relative precision, within a budget: Law &
// Kelton's sequential procedure ("Simulation Modeling and Analysis", 3rd ed., 2000, sec. 9.4.1),
// adding replications in rounds.
//
// The first round runs starting_replications(scenario). After each round, every target's 95%
// interval is computed over all replications so far; the run stops when each target's relative
// half-width is at most gamma' = gamma / (1 + gamma) (so its relative error is at most gamma
// with 95% confidence), or when the budget is spent. Otherwise the next round brings the count
// to the largest of the targets' estimated needs (sim::replications_needed), but at most doubles
// it, so that the variance estimate of an early round cannot commit the whole budget. Each
// round's size depends only on the replications before it, summarized in replication order, and
// replication r always uses stream r: the result does not depend on the thread count.

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

#include "models/scenario/scenario.hpp"
#include "models/workflows/experiment.hpp"
#include "models/workflows/precision.hpp"

namespace capsim::models {

/// Law & Kelton found their procedure's coverage close to nominal from 10 initial replications
/// on; fewer give variance estimates too rough to stop on.
inline constexpr std::size_t kMinStartReplications = 10;
/// The budget when none is given: enough for a relative precision about 4.5 times finer than
/// that of the first 10 replications.
inline constexpr std::size_t kDefaultBudget = 200;

struct PrecisionGoal {
  double relative_error = 0.02;         ///< gamma, in (0, 1)
  std::size_t budget = kDefaultBudget;  ///< at most this many replications; >= the start
  std::vector<PrecisionTarget> targets;
};

/// The first round: the scenario's replications, at least kMinStartReplications.
std::size_t starting_replications(const Scenario& scenario);

/// What `run` aims at by default: the end-to-end throughput, mean sojourn W, p50 and p99, those
/// the scenario reports.
std::vector<PrecisionTarget> default_targets(const Scenario& scenario);
/// The metrics of the scenario's SLOs, each once.
std::vector<PrecisionTarget> slo_targets(const Scenario& scenario);
/// "[NODE:]METRIC" (no NODE: end to end), checked against what the scenario reports. Throws
/// InputError naming `option` and the text.
PrecisionTarget parse_target(const Scenario& scenario, const std::string& text,
                             const std::string& option);

/// Runs replications until `goal` is met or its budget spent (see the top of this file); the
/// result carries the PrecisionReport and, when a target was not reached, a warning naming it,
/// the precision reached and the replications it would take. Throws Interrupted soon after
/// `stop` is set.
RunResult run_to_precision(const Scenario& scenario, const PrecisionGoal& goal, int threads,
                           const std::atomic<bool>& stop, double confidence = 0.95);

}  // namespace capsim::models
