#include "models/experiment.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

namespace capsim::models {

namespace {

NodeSummary summarize(std::string name, std::string type, const std::vector<const Metrics*>& runs,
                      double confidence) {
  NodeSummary summary{std::move(name), std::move(type), {}, {}};
  const Metrics& first = *runs.front();
  std::vector<double> values(runs.size());
  for (std::size_t m = 0; m < first.size(); ++m) {
    for (std::size_t r = 0; r < runs.size(); ++r) values[r] = (*runs[r])[m].value;
    summary.metrics.push_back(first[m].name);
    summary.estimates.push_back(sim::estimate(values, confidence));
  }
  return summary;
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
    const Metrics& metrics =
        node < replication.nodes.size() ? replication.nodes[node] : replication.system;
    for (const auto& m : metrics) {
      if (m.name == metric) values.push_back(m.value);
    }
  }
  return values;
}

RunResult run_experiment(const Scenario& scenario, int threads, double confidence) {
  const auto count = static_cast<std::size_t>(scenario.replications);
  RunResult result;
  result.confidence = confidence;
  result.replications.resize(count);

  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (std::size_t r = next++; r < count && !failed; r = next++) {
      try {
        Network network(scenario, r);
        result.replications[r] = network.run();
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

  std::vector<const Metrics*> runs(count);
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    for (std::size_t r = 0; r < count; ++r) runs[r] = &result.replications[r].nodes[i];
    result.nodes.push_back(
        summarize(scenario.nodes[i].name, type_name(scenario.nodes[i].config), runs, confidence));
  }
  for (std::size_t r = 0; r < count; ++r) runs[r] = &result.replications[r].system;
  result.system = summarize("end to end", "system", runs, confidence);
  for (const auto& replication : result.replications) result.events += replication.events;
  return result;
}

}  // namespace capsim::models
