#include "models/workflows/sequential.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/io/text_format.hpp"
#include "models/scenario/slo.hpp"
#include "sim/sequential.hpp"

namespace capsim::models {

namespace {

const char* const kEndToEnd = "end to end";

std::string node_name(const Scenario& scenario, std::size_t node) {
  return node < scenario.nodes.size() ? scenario.nodes[node].name : kEndToEnd;
}

const NodeSummary& summary_of(const RunResult& result, std::size_t node) {
  return node < result.nodes.size() ? result.nodes[node] : result.system;
}

// Where each target stands after a round.
std::vector<TargetPrecision> assess(const RunResult& result,
                                    const std::vector<PrecisionTarget>& targets, double target,
                                    double confidence) {
  std::vector<TargetPrecision> reached;
  for (const PrecisionTarget& t : targets) {
    const sim::Estimate& estimate = *summary_of(result, t.node_index).find(t.metric);
    const double relative = sim::relative_half_width(estimate);
    reached.push_back(
        {t, relative, sim::replications_needed(estimate, target, confidence), relative <= target});
  }
  return reached;
}

// The replication count after the next round; `done` when the run should stop: every target
// met, the budget spent, or only targets left that no replication can help (NaN: a replication
// without a value keeps the estimate NaN).
std::size_t next_count(const std::vector<TargetPrecision>& reached, std::size_t done,
                       std::size_t budget) {
  std::uint64_t needed = done;
  for (const TargetPrecision& r : reached) {
    if (!r.met && !std::isnan(r.relative_half_width))
      needed = std::max(needed, r.replications_needed);
  }
  if (needed == done) return done;
  return std::min({static_cast<std::uint64_t>(budget), needed, std::uint64_t{2} * done});
}

}  // namespace

std::size_t starting_replications(const Scenario& scenario) {
  return std::max(static_cast<std::size_t>(scenario.replications), kMinStartReplications);
}

std::vector<PrecisionTarget> default_targets(const Scenario& scenario) {
  const std::vector<std::string> reported = reported_metrics(scenario).back();
  std::vector<PrecisionTarget> targets;
  for (const char* metric : {"throughput", "W", "sojourn.p50", "sojourn.p99"}) {
    if (std::find(reported.begin(), reported.end(), metric) != reported.end()) {
      targets.push_back({scenario.nodes.size(), kEndToEnd, metric});
    }
  }
  return targets;
}

std::vector<PrecisionTarget> slo_targets(const Scenario& scenario) {
  std::vector<PrecisionTarget> targets;
  for (const Slo& slo : scenario.slos) {
    const bool seen = std::any_of(targets.begin(), targets.end(), [&](const PrecisionTarget& t) {
      return t.node_index == slo.node_index && t.metric == slo.metric;
    });
    if (!seen) targets.push_back({slo.node_index, node_name(scenario, slo.node_index), slo.metric});
  }
  return targets;
}

PrecisionTarget parse_target(const Scenario& scenario, const std::string& text,
                             const std::string& option) {
  const auto colon = text.rfind(':');
  PrecisionTarget target{scenario.nodes.size(), kEndToEnd, text};
  if (colon != std::string::npos) {
    std::vector<std::string> names;
    for (const auto& node : scenario.nodes) names.push_back(node.name);
    const std::string node = text.substr(0, colon);
    const auto found = std::find(names.begin(), names.end(), node);
    if (found == names.end() && node != kEndToEnd) {
      std::string expected = "a node name (" + one_of(names) + ") or \"end to end\"";
      if (auto guess = did_you_mean(node, names))
        expected += fmt::format(" (did you mean \"{}\"?)", *guess);
      throw InputError(
          fmt::format("{} {}: found node \"{}\", expected {}", option, text, node, expected));
    }
    target = {static_cast<std::size_t>(found - names.begin()), node, text.substr(colon + 1)};
  }
  const std::vector<std::string> reported = reported_metrics(scenario)[target.node_index];
  if (std::find(reported.begin(), reported.end(), target.metric) == reported.end()) {
    std::string expected = fmt::format("a metric {} reports: {}", target.node, one_of(reported));
    if (auto guess = did_you_mean(target.metric, reported))
      expected += fmt::format(" (did you mean \"{}\"?)", *guess);
    throw InputError(fmt::format("{} {}: found metric \"{}\", expected {}", option, text,
                                 target.metric, expected));
  }
  return target;
}

RunResult run_to_precision(const Scenario& scenario, const PrecisionGoal& goal, int threads,
                           const std::atomic<bool>& stop, double confidence) {
  PrecisionReport report;
  report.relative_error = goal.relative_error;
  report.target = sim::adjusted_relative_error(goal.relative_error);
  report.start = starting_replications(scenario);
  report.budget = std::max(goal.budget, report.start);
  std::vector<ReplicationResult> done = run_replications(scenario, 0, report.start, threads, stop);
  while (true) {
    report.rounds.push_back(done.size());
    RunResult result = summarize(scenario, std::move(done), confidence);
    report.reached = assess(result, goal.targets, report.target, confidence);
    const std::size_t next = next_count(report.reached, result.replications.size(), report.budget);
    if (next == result.replications.size()) {
      const auto warnings = precision_warnings(report);
      result.warnings.insert(result.warnings.end(), warnings.begin(), warnings.end());
      result.precision = std::move(report);
      return result;
    }
    done = std::move(result.replications);
    auto more = run_replications(scenario, done.size(), next - done.size(), threads, stop);
    std::move(more.begin(), more.end(), std::back_inserter(done));
  }
}

}  // namespace capsim::models
