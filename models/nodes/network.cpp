#include "models/nodes/network.hpp"

#include <limits>

#include "models/nodes/flow_metrics.hpp"
#include "models/nodes/sink.hpp"

namespace capsim::models {

Network::Network(std::uint64_t seed, std::uint64_t replication, double warmup, double duration)
    : seed_(seed), replication_(replication), warmup_(warmup), duration_(duration) {}

Network::~Network() = default;

void Network::add_node(std::unique_ptr<Node> node) {
  if (const auto* sink = dynamic_cast<const Sink*>(node.get())) {
    sinks_.push_back(sink);
    has_error_sinks_ = has_error_sinks_ || sink->is_error();
  }
  nodes_.push_back(std::move(node));
}

sim::Rng Network::stream(std::string_view component) const {
  return sim::Rng::stream(seed_, replication_, component);
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
  if (!simulator_.run_until(warmup_, stop)) throw Interrupted();
  reset_statistics();
  if (!simulator_.run_until(warmup_ + duration_, stop)) throw Interrupted();
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
  created_ = completed_ = failed_ = rejected_ = 0;
  population_at_start_ = population_.level();
  population_.reset(window_start_);
  sojourn_batches_.reset();
  rejected_time_.reset();
}

Metrics Network::collect_system() const {
  const double now = simulator_.now();
  const double window = now - window_start_;
  const auto departures = static_cast<double>(completed_ + failed_ + rejected_);
  Latencies sojourns;  // of successes: the end-to-end W and percentiles
  Latencies failed;
  for (const Sink* sink : sinks_) {
    (sink->is_error() ? failed : sojourns).merge(sink->counted_sojourns());
  }
  sim::Tally time_in_system = sojourns.tally;  // every departure, failed and rejected included
  time_in_system.merge(failed.tally);
  time_in_system.merge(rejected_time_);
  Metrics out;
  // The population is a count kept as a double: exact, so converting it loses nothing.
  add_flow_metrics(out,
                   {.arrivals = created_,
                    .completions = completed_,
                    .rejections = rejected_,
                    .held = static_cast<std::int64_t>(population_.level()),
                    .held_at_start = static_cast<std::int64_t>(population_at_start_)},
                   window);
  if (has_error_sinks_) add_failure_metrics(out, window);
  add_sojourn_metrics(out, population_.mean(now), sojourns);
  if (has_error_sinks_) {
    out.add({"W_failed", failed.tally.mean()});
    out.add_latency("sojourn_failed", failed.histogram);
  }
  out.add({"departure_rate", departures / window});
  out.add({"W_departures", time_in_system.mean()});
  return out;
}

void Network::add_failure_metrics(Metrics& out, double window) const {
  const auto failed = static_cast<double>(failed_);
  // Over departures rather than arrivals: a request may fail long after it arrived (a timeout),
  // and the ratio of the requests that left stays within [0, 1].
  const auto departures = static_cast<double>(completed_ + failed_ + rejected_);
  out.add({"failed", failed});
  out.add({"error_ratio",
           departures > 0 ? failed / departures : std::numeric_limits<double>::quiet_NaN()});
  out.add({"goodput", static_cast<double>(completed_) / window});
}

}  // namespace capsim::models
