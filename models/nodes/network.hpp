#pragma once
// One replication of a scenario: the simulator, the request pool, the nodes, end-to-end accounting.

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "models/nodes/node.hpp"
#include "models/nodes/request.hpp"
#include "sim/quantile_histogram.hpp"
#include "sim/rng.hpp"
#include "sim/simulator.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

/// A run given up because its stop flag was set (SIGINT or SIGTERM in the CLI): its result would
/// be incomplete, so there is none.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

/// Everything measured in one replication, in scenario node order.
struct ReplicationResult {
  std::vector<Metrics> nodes;
  Metrics system;            ///< end to end: from creation at a source to a sink (or rejection)
  std::uint64_t events = 0;  ///< events run, warm-up included
  /// Batch means of the end-to-end sojourn, oldest first (sim::BatchMeans; empty with fewer
  /// than kBatches / 2 completions).
  std::vector<double> sojourn_batch_means;
};

class Sink;

/// The nodes of one replication and what they share: the clock, the request pool, the random
/// streams and the end-to-end accounting. Scenario-neutral: models::Replication builds one from
/// a scenario.
class Network {
 public:
  /// An empty network whose random streams derive from `seed` and `replication`, measuring
  /// over [warmup, warmup + duration] (s).
  Network(std::uint64_t seed, std::uint64_t replication, double warmup, double duration);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  /// Simulates the warm-up, discards its statistics, simulates the measurement window, collects.
  ReplicationResult run();
  /// The same, but throws Interrupted as soon as `stop` is set.
  ReplicationResult run(const std::atomic<bool>& stop);
  /// Every node's metrics over the window ending now (NaN where nothing was measured).
  ReplicationResult collect() const;

  sim::Simulator& simulator() { return simulator_; }
  RequestPool& requests() { return requests_; }
  /// The random stream of one component in this replication.
  sim::Rng stream(std::string_view component) const;
  /// Start of the measurement window (end of the warm-up), s.
  double window_start() const { return window_start_; }

  /// A source creates a request stamped with the current time.
  RequestId create_request() {
    const RequestId id = requests_.acquire();
    const double now = simulator_.now();
    requests_[id].created = now;
    ++created_;
    population_.add(now, 1);
    return id;
  }
  /// A request reached a sink: it leaves the system completed.
  void complete(RequestId id) { leave(id, Departure::completed); }
  /// A request reached an error sink: it leaves the system failed.
  void fail(RequestId id) { leave(id, Departure::failed); }
  /// A request was rejected: it leaves the system without completing.
  void reject(RequestId id) { leave(id, Departure::rejected); }

  /// An internal request (a fork's child, an async node's message) stamped with the current
  /// time. It is not counted end to end (arrivals, L, W): `origin` accounts for it, and is told
  /// (request_left) when it leaves: a success if it reaches a sink of outcome success, not if it
  /// reaches an error sink or is rejected.
  RequestId create_internal(Node& origin);
  /// Ends an internal request where its origin collects it (a join), without any notification.
  void retire_internal(RequestId id) { requests_.release(id); }
  /// The node at `index` in scenario order (links beyond "to", e.g. a fork's join).
  Node& node(std::size_t index) { return *nodes_[index]; }

 protected:
  /// Appends a node (index = number of nodes added before it); its links come later
  /// (Node::connect), once every node exists.
  void add_node(std::unique_ptr<Node> node);

 private:
  enum class Departure { completed, failed, rejected };

  // Inline: every completion and rejection runs it.
  void leave(RequestId id, Departure departure) {
    const Request& request = requests_[id];
    const bool success = departure == Departure::completed;
    if (request.internal) {
      // Its origin accounts for it; the system counts only the requests sources create.
      request.origin->request_left(id, success);
      requests_.release(id);
      return;
    }
    const double now = simulator_.now();
    const double time_in_system = now - request.created;
    if (success) {
      ++completed_;
      sojourn_batches_.add(time_in_system);
    } else if (departure == Departure::failed) {
      ++failed_;  // its sojourn is the error sink's
    } else {
      ++rejected_;
      rejected_time_.add(time_in_system);
    }
    population_.add(now, -1);
    if (Node* origin = request.origin) origin->request_left(id, success);
    requests_.release(id);
  }
  void reset_statistics();
  Metrics collect_system() const;
  // With error sinks: failed, error_ratio (failed / departures) and goodput (completions/s).
  void add_failure_metrics(Metrics& out, double window) const;

  std::uint64_t seed_;
  std::uint64_t replication_;
  double warmup_;
  double duration_;
  sim::Simulator simulator_;
  RequestPool requests_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<const Sink*> sinks_;  // their sojourns of counted requests make the end-to-end one
  bool has_error_sinks_ = false;    // then failures are reported end to end
  double window_start_ = 0;

  std::uint64_t created_ = 0;
  std::uint64_t completed_ = 0;  // reached a sink of outcome success
  std::uint64_t failed_ = 0;     // reached an error sink
  std::uint64_t rejected_ = 0;
  double population_at_start_ = 0;
  sim::TimeAverage population_;
  // Completed requests' sojourns, creation to sink, in the order they leave (for the
  // confidence-interval diagnostic); their mean and percentiles, and those of failed requests,
  // are the sinks' (sinks_).
  sim::BatchMeans sojourn_batches_;
  sim::Tally rejected_time_;  // time in the system of rejected requests (for Little's law)
};

}  // namespace capsim::models
