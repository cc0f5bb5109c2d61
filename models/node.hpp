#pragma once
// The interface every component of a scenario implements.

#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/request.hpp"
#include "sim/quantile_histogram.hpp"
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
  Node(Network& network, std::string name) : network_(network), name_(std::move(name)) {}
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  virtual ~Node() = default;

  const std::string& name() const { return name_; }

  /// Links to the downstream nodes, in the order the scenario names them (second loader pass).
  virtual void connect(const std::vector<Node*>& targets) = 0;
  /// Called once at time 0, before any event runs.
  virtual void start() {}
  /// A request arrives at this node; the node now owns it until it passes it on or ends it.
  virtual void accept(RequestId id) = 0;
  /// Discards everything measured so far (end of the warm-up), keeping the state.
  virtual void reset_statistics() = 0;
  /// Appends this node's metrics over the measurement window that ends now.
  virtual void collect(Metrics& out) const = 0;

  void on_event(std::uint32_t, std::uint64_t) override {}

 protected:
  Network& network_;

 private:
  std::string name_;
};

}  // namespace capsim::models
