#include "models/network.hpp"

#include "models/scenario.hpp"
#include "models/sink.hpp"

namespace capsim::models {

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

Network::Network(const Scenario& scenario, std::uint64_t replication)
    : scenario_(scenario), replication_(replication) {
  nodes_.reserve(scenario.nodes.size());
  for (const NodeSpec& spec : scenario.nodes) {
    nodes_.push_back(std::visit(
        [&](const auto& config) { return make_node(*this, spec.name, config); }, spec.config));
  }
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    std::vector<Node*> targets;
    for (std::size_t target : scenario.nodes[i].targets) targets.push_back(nodes_[target].get());
    nodes_[i]->connect(std::move(targets), scenario.nodes[i].probabilities);
    if (const auto* sink = dynamic_cast<const Sink*>(nodes_[i].get())) sinks_.push_back(sink);
  }
}

Network::~Network() = default;

sim::Rng Network::stream(std::string_view component) const {
  return sim::Rng::stream(scenario_.seed, replication_, component);
}

RequestId Network::create_internal(Node& origin) {
  const RequestId id = requests_.acquire();
  Request& request = requests_[id];
  request.created = simulator_.now();
  request.origin = &origin;
  request.internal = true;
  return id;
}

ReplicationResult Network::run() {
  const std::atomic<bool> never{false};
  return run(never);
}

ReplicationResult Network::run(const std::atomic<bool>& stop) {
  for (auto& node : nodes_) node->start();
  if (!simulator_.run_until(scenario_.warmup, stop)) throw Interrupted();
  reset_statistics();
  if (!simulator_.run_until(scenario_.warmup + scenario_.duration, stop)) throw Interrupted();
  return collect();
}

ReplicationResult Network::collect() const {
  ReplicationResult result;
  result.nodes.resize(nodes_.size());
  for (std::size_t i = 0; i < nodes_.size(); ++i) nodes_[i]->collect(result.nodes[i]);
  result.system = collect_system();
  result.events = simulator_.events_run();
  for (std::size_t i = 0; i < sojourn_batches_.batches(); ++i) {
    result.sojourn_batch_means.push_back(sojourn_batches_.mean(i));
  }
  return result;
}

void Network::reset_statistics() {
  window_start_ = simulator_.now();
  for (auto& node : nodes_) node->reset_statistics();
  created_ = completed_ = rejected_ = 0;
  population_at_start_ = population_.level();
  population_.reset(window_start_);
  sojourn_batches_.reset();
  rejected_time_.reset();
}

Metrics Network::collect_system() const {
  const double now = simulator_.now();
  const double window = now - window_start_;
  const auto created = static_cast<double>(created_);
  const auto departures = static_cast<double>(completed_ + rejected_);
  sim::Tally sojourn;
  sim::QuantileHistogram sojourn_histogram;
  for (const Sink* sink : sinks_) {
    sojourn.merge(sink->counted_sojourn());
    sojourn_histogram.merge(sink->counted_sojourn_histogram());
  }
  sim::Tally time_in_system = sojourn;  // every departure, rejected ones included
  time_in_system.merge(rejected_time_);
  Metrics out;
  out.add({"arrivals", created});
  out.add({"completions", static_cast<double>(completed_)});
  out.add({"rejections", static_cast<double>(rejected_)});
  out.add({"in_system.start", population_at_start_});
  out.add({"in_system.end", population_.level()});
  out.add({"arrival_rate", created / window});
  out.add({"throughput", static_cast<double>(completed_) / window});
  out.add({"rejection_ratio", created > 0 ? static_cast<double>(rejected_) / created
                                          : std::numeric_limits<double>::quiet_NaN()});
  out.add({"L", population_.mean(now)});
  out.add({"W", sojourn.mean()});
  out.add_latency("sojourn", sojourn_histogram);
  out.add({"departure_rate", departures / window});
  out.add({"W_departures", time_in_system.mean()});
  return out;
}

}  // namespace capsim::models
