#include "models/nodes/node.hpp"

#include <cassert>
#include <limits>

#include "models/nodes/network.hpp"

namespace capsim::models {

Node::Node(Network& network, std::string name)
    : network_(network),
      name_(std::move(name)),
      routing_rng_(network.stream(name_ + "#routing")) {}

void Node::connect(std::vector<Node*> targets, const std::vector<double>& probabilities) {
  targets_ = std::move(targets);
  cumulative_.clear();
  if (probabilities.empty()) return;
  assert(probabilities.size() == targets_.size());
  double sum = 0;
  for (double p : probabilities) cumulative_.push_back(sum += p);
  cumulative_.back() = 1.0;  // rounding must not leave a gap above the last target
}

void Metrics::add_latency(const char* name, const sim::QuantileHistogram& histogram) {
  for (const auto& [level, suffix] : kPercentiles) {
    add({std::string(name) + "." + suffix, histogram.quantile(level)});
  }
  latencies.push_back({name, histogram});
}

double Metrics::value(std::string_view name) const {
  for (const auto& metric : values) {
    if (metric.name == name) return metric.value;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace capsim::models
