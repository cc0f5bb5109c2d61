#include "models/experiment.hpp"

#include <algorithm>
#include <atomic>
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

RunResult run_experiment(const Scenario& scenario, int threads, const std::atomic<bool>& stop,
                         double confidence) {
  const auto count = static_cast<std::size_t>(scenario.replications);
  std::vector<ReplicationResult> replications(count);

  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (std::size_t r = next++; r < count && !failed; r = next++) {
      try {
        Network network(scenario, r);
        replications[r] = network.run(stop);
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

  return summarize(scenario, std::move(replications), confidence);
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
  return result;
}

}  // namespace capsim::models
