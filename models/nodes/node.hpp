#pragma once
// The interface every component of a scenario implements.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/nodes/request.hpp"
#include "sim/quantile_histogram.hpp"
#include "sim/rng.hpp"
#include "sim/simulator.hpp"

namespace capsim::models {

class Network;

/// One named value measured over a replication's measurement window ("W", "sojourn.p99", ...).
struct Metric {
  std::string name;
  double value;
};

/// A latency distribution ("wait", "sojourn") behind a node's percentile metrics; kept so that
/// percentiles can be estimated from all replications pooled.
struct Latency {
  std::string name;
  sim::QuantileHistogram histogram;
};

/// Everything a node measured in one replication.
struct Metrics {
  std::vector<Metric> values;
  std::vector<Latency> latencies;

  void add(Metric metric) { values.push_back(std::move(metric)); }
  /// Adds "<name>.p50" ... "<name>.p99.9" and keeps the histogram.
  void add_latency(const char* name, const sim::QuantileHistogram& histogram);
  /// The value of a metric; NaN if there is none of that name.
  double value(std::string_view name) const;
};

/// Percentile levels reported for every latency, with their metric-name suffixes.
inline constexpr std::pair<double, const char*> kPercentiles[] = {
    {0.50, "p50"}, {0.90, "p90"}, {0.95, "p95"}, {0.99, "p99"}, {0.999, "p99.9"}};

/// A component: it receives requests, may schedule events for itself, and reports metrics.
class Node : public sim::EventHandler {
 public:
  Node(Network& network, std::string name);
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  virtual ~Node() = default;

  const std::string& name() const { return name_; }

  /// Links to the downstream nodes in scenario order (the loader's second pass). With
  /// probabilities (summing to 1), forward() picks one at random from this node's routing
  /// stream; without, forward() always uses the first.
  void connect(std::vector<Node*> targets, const std::vector<double>& probabilities);
  const std::vector<Node*>& targets() const { return targets_; }

  /// Called once at time 0, before any event runs.
  virtual void start() {}
  /// A request arrives at this node; the node now owns it until it passes it on or ends it.
  virtual void accept(RequestId id) = 0;
  /// Requests held here now (queued or in service); balancers compare backends by it.
  virtual std::int64_t occupancy() const { return 0; }
  /// A request this node created (Request::origin) has left the system: completed when it
  /// reached a sink of outcome success, not when it reached an error sink or was rejected.
  virtual void request_left(RequestId /*id*/, bool /*completed*/) {}
  /// Discards everything measured so far (end of the warm-up), keeping the state.
  virtual void reset_statistics() = 0;
  /// Appends this node's metrics over the measurement window that ends now.
  virtual void collect(Metrics& out) const = 0;

  void on_event(std::uint32_t, std::uint64_t) override {}

 protected:
  /// Passes a request on along this node's route.
  void forward(RequestId id) {
    if (cumulative_.empty()) {
      targets_.front()->accept(id);
      return;
    }
    const double u = routing_rng_.uniform_open();
    std::size_t i = 0;
    if (cumulative_.size() <= kLinearSearchLimit) {
      while (i + 1 < cumulative_.size() && u > cumulative_[i]) ++i;
    } else {
      // Many routes: the first cumulative probability >= u, by bisection.
      i = static_cast<std::size_t>(std::lower_bound(cumulative_.begin(), cumulative_.end() - 1, u) -
                                   cumulative_.begin());
    }
    targets_[i]->accept(id);
  }

  Network& network_;

 private:
  static constexpr std::size_t kLinearSearchLimit = 8;
  std::string name_;
  std::vector<Node*> targets_;
  std::vector<double> cumulative_;  // empty when a single route is taken
  sim::Rng routing_rng_;            // its own stream: routing changes leave service draws alone
};

}  // namespace capsim::models
