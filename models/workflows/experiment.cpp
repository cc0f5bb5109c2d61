#include "models/workflows/experiment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <thread>

namespace capsim::models {

namespace {

const Metrics& node_metrics(const ReplicationResult& replication, std::size_t node) {
  return node < replication.nodes.size() ? replication.nodes[node] : replication.system;
}

// For "sojourn.p99": the latency histogram's name and the percentile level.
std::optional<std::pair<std::string, double>> percentile_of(std::string_view metric) {
  for (const auto& [level, suffix] : kPercentiles) {
    const std::string tail = std::string(".") + suffix;
    if (metric.size() > tail.size() && metric.ends_with(tail)) {
      return std::pair{std::string(metric.substr(0, metric.size() - tail.size())), level};
    }
  }
  return std::nullopt;
}

}  // namespace

const sim::Estimate* NodeSummary::find(std::string_view metric) const {
  const auto it = std::find(metrics.begin(), metrics.end(), metric);
  return it == metrics.end() ? nullptr : &estimates[static_cast<std::size_t>(it - metrics.begin())];
}

std::vector<std::string> RunResult::all_warnings() const {
  std::vector<std::string> all = diagnostic.warnings;
  all.insert(all.end(), warnings.begin(), warnings.end());
  return all;
}

std::vector<double> per_replication(const RunResult& result, std::size_t node,
                                    std::string_view metric) {
  std::vector<double> values;
  for (const auto& replication : result.replications) {
    values.push_back(node_metrics(replication, node).value(metric));
  }
  return values;
}

sim::Estimate estimate_metric(const RunResult& result, std::size_t node, std::string_view metric,
                              double confidence) {
  sim::Estimate estimate = sim::estimate(per_replication(result, node, metric), confidence);
  const auto percentile = percentile_of(metric);
  if (!percentile || std::isnan(estimate.mean)) return estimate;
  // Sectioning (Asmussen & Glynn, Stochastic Simulation, 2007, III.5a): the point estimate is
  // the quantile of all replications pooled, whose bias shrinks with the total sample, while the
  // interval comes from the spread of the per-replication quantiles. Averaging per-replication
  // quantiles instead keeps the bias of one short run, which for p99.9 can exceed the interval.
  sim::QuantileHistogram pooled;
  for (const auto& replication : result.replications) {
    for (const auto& latency : node_metrics(replication, node).latencies) {
      if (latency.name == percentile->first) pooled.merge(latency.histogram);
    }
  }
  estimate.mean = pooled.quantile(percentile->second);
  return estimate;
}

RunResult run_experiment(const Scenario& scenario, int threads, double confidence) {
  const std::atomic<bool> never{false};
  return run_experiment(scenario, threads, never, confidence);
}

std::vector<ReplicationResult> run_replications(const Scenario& scenario, std::size_t first,
                                                std::size_t count, int threads,
                                                const std::atomic<bool>& stop) {
  std::vector<ReplicationResult> replications(count);
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (std::size_t i = next++; i < count && !failed; i = next++) {
      try {
        Replication network(scenario, first + i);
        replications[i] = network.run(stop);
      } catch (...) {
        if (!failed.exchange(true)) failure = std::current_exception();
      }
    }
  };
  const auto thread_count =
      std::min<std::size_t>(static_cast<std::size_t>(std::max(1, threads)), count);
  {
    std::vector<std::jthread> pool;
    for (std::size_t t = 1; t < thread_count; ++t) pool.emplace_back(worker);
    worker();
  }
  if (failure) std::rethrow_exception(failure);
  return replications;
}

RunResult run_experiment(const Scenario& scenario, int threads, const std::atomic<bool>& stop,
                         double confidence) {
  const auto count = static_cast<std::size_t>(scenario.replications);
  return summarize(scenario, run_replications(scenario, 0, count, threads, stop), confidence);
}

RunResult summarize(const Scenario& scenario, std::vector<ReplicationResult> replications,
                    double confidence) {
  RunResult result;
  result.confidence = confidence;
  result.replications = std::move(replications);
  // Summaries are computed in replication order: the result does not depend on the threads.
  auto summarize_node = [&](std::size_t node, std::string name, std::string type) {
    NodeSummary summary{std::move(name), std::move(type), {}, {}};
    for (const Metric& metric : node_metrics(result.replications.front(), node).values) {
      summary.metrics.push_back(metric.name);
      summary.estimates.push_back(estimate_metric(result, node, metric.name, confidence));
    }
    return summary;
  };
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    result.nodes.push_back(summarize_node(i, scenario.nodes[i].name, scenario.nodes[i].type));
  }
  result.system = summarize_node(scenario.nodes.size(), "end to end", "system");
  for (const auto& replication : result.replications) result.events += replication.events;
  if (const sim::Estimate* sojourn = result.system.find("W")) {
    result.diagnostic = diagnose_intervals(result.replications, *sojourn);
  }
  return result;
}

IntervalDiagnostic diagnose_intervals(const std::vector<ReplicationResult>& replications,
                                      const sim::Estimate& sojourn) {
  IntervalDiagnostic diagnostic;
  diagnostic.relative_half_width = sojourn.half_width / std::fabs(sojourn.mean);
  double lag1_sum = 0;
  std::size_t used = 0, batches = 0;
  double squares = 0;  // of the deviations from each replication's mean batch mean
  double largest = 0;
  for (std::size_t r = 0; r < replications.size(); ++r) {
    const std::vector<double>& means = replications[r].sojourn_batch_means;
    const double lag1 = sim::lag1_autocorrelation(means);
    if (means.size() < sim::BatchMeans::kBatches / 2 || !std::isfinite(lag1)) continue;
    lag1_sum += lag1;
    ++used;
    double mean = 0;
    for (double m : means) mean += m;
    mean /= static_cast<double>(means.size());
    for (double m : means) {
      squares += (m - mean) * (m - mean);
      if (std::fabs(m - mean) > largest) {
        largest = std::fabs(m - mean);
        diagnostic.largest_batch_replication = r;
      }
    }
    batches += means.size();
  }
  if (used > 0) {
    diagnostic.batch_lag1 = lag1_sum / static_cast<double>(used);
    // Each replication's mean takes one degree of freedom.
    diagnostic.largest_batch_z = largest / std::sqrt(squares / static_cast<double>(batches - used));
  }
  if (!(diagnostic.relative_half_width > IntervalDiagnostic::kMaxRelativeHalfWidth)) {
    return diagnostic;
  }
  std::string cause;
  if (diagnostic.batch_lag1 > IntervalDiagnostic::kHighBatchLag1) {
    cause += fmt::format(
        "; its batch means stay correlated (lag-1 autocorrelation {:.2f}): replications are too "
        "short for the system to forget its state (a queue near saturation?)",
        diagnostic.batch_lag1);
  }
  if (diagnostic.largest_batch_z > IntervalDiagnostic::kHighBatchZ) {
    cause += fmt::format(
        "; a batch of requests in replication {} lies {:.1f} standard deviations out: a few "
        "requests outweigh the rest (heavy-tailed latencies, infinite variance?)",
        diagnostic.largest_batch_replication + 1, diagnostic.largest_batch_z);
  }
  diagnostic.warnings.push_back(fmt::format(
      "confidence intervals unreliable: the end-to-end mean sojourn's half-width is {:.0f}% of "
      "it (above {:g}%), so replication means are far from the normal the intervals "
      "assume{}; run longer",
      100 * diagnostic.relative_half_width, 100 * IntervalDiagnostic::kMaxRelativeHalfWidth,
      cause));
  return diagnostic;
}

}  // namespace capsim::models
