#pragma once
// A service station: c identical servers, a FIFO queue, an optional capacity limit, optional
// server failures and repairs (failures.hpp).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/io/json_input.hpp"
#include "models/nodes/failures.hpp"
#include "models/nodes/flow_metrics.hpp"
#include "models/nodes/node.hpp"
#include "models/nodes/request_classes.hpp"
#include "sim/distribution.hpp"
#include "sim/quantile_histogram.hpp"
#include "sim/ring_queue.hpp"
#include "sim/rng.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

/// The order in which waiting requests are served.
enum class Discipline : std::uint8_t {
  fifo,      ///< first come, first served
  priority,  ///< non-preemptive: the best class priority first, FIFO within a priority level
};

/// A per-class service time ("service_by_class": {"gold": distribution, ...}).
struct ClassService {
  std::string class_name;
  std::uint32_t request_class = 0;  ///< index of class_name in the scenario (set by the loader)
  sim::Distribution service;        ///< service time of that class, s
};

struct StationConfig {
  int servers = 1;  ///< c identical servers, >= 1
  /// K: most requests in the station, in service included (>= servers). Absent: unlimited.
  /// An arrival that finds K present is rejected.
  std::optional<std::int64_t> capacity;
  sim::Distribution service = sim::Distribution::exponential(1.0);  ///< service time, s
  Discipline discipline = Discipline::fifo;
  std::vector<ClassService> service_by_class;  ///< overrides `service` for these classes
  /// The scenario's classes (set by the loader); with more than one, per-class metrics.
  std::vector<RequestClass> classes;
  /// Server failures and repairs ("failures"); absent: servers never fail (failures.hpp).
  std::optional<FailureConfig> failures;
  /// Report goodput and wasted_utilization: set by the loader for stations on the route of a
  /// retry or breaker node's calls (link_calls), whose callers may abandon them.
  bool report_goodput = false;
};

/// Whether a station's classes change how it serves (priority order or per-class service).
inline bool classes_matter(const StationConfig& config) {
  return config.discipline == Discipline::priority || !config.service_by_class.empty();
}

class Station final : public Node {
 public:
  Station(Network& network, std::string name, const StationConfig& config);

  void start() override;
  void accept(RequestId id) override;
  std::int64_t occupancy() const override { return flow_.held; }
  void reset_statistics() override;
  void collect(Metrics& out) const override;
  void on_event(std::uint32_t kind, std::uint64_t payload) override;

 private:
  // Per-class measurements, kept when the scenario has several classes.
  struct ClassStatistics {
    std::string name;
    std::uint64_t completions = 0;
    sim::Tally wait;
    Latencies sojourns;
  };

  // `restart`: a request requeued by a server failure, whose wait was counted the first time.
  // Inline (defined in station.cpp, its only user), like the other steps of a request's way
  // through: each runs once per request, and a call saves and restores six registers.
  inline void start_service(RequestId id, double now, bool restart = false);
  // The next waiting request (an interrupted one first) starts on an idle server.
  void start_next(double now);
  bool has_idle_server() const {
    return idle_servers_.size() > (failures_ ? failures_->down_in_idle_ring() : 0);
  }
  inline std::uint32_t take_idle_server();
  void server_busy(std::uint32_t server, double now) { busy_since_[server] = now; }
  void server_idle(std::uint32_t server, double now);
  std::size_t servers() const { return busy_time_.size(); }
  // Fraction of the window [window start, now] that `server` was busy.
  double utilization(std::uint32_t server, double now) const;
  // Server failures and repairs (defined in failures.cpp).
  void server_fails(std::uint32_t server);
  void server_repaired(std::uint32_t server);
  void enqueue(RequestId id);
  inline RequestId dequeue();
  std::size_t waiting() const {
    return (priority_levels_.empty() ? queue_.size() : waiting_) +
           (failures_ ? failures_->requeued() : 0);
  }

  sim::Rng rng_;
  sim::Distribution service_;
  std::vector<sim::Distribution> service_by_class_;  // indexed by class; empty: service_ for all
  std::int64_t capacity_;                            // INT64_MAX when unlimited

  FlowCounts flow_;                  // held: requests queued or in service
  sim::RingQueue<RequestId> queue_;  // FIFO discipline
  // Priority discipline: one FIFO queue per priority level (0 served first), a mask of the
  // non-empty ones, and each class's level.
  std::vector<sim::RingQueue<RequestId>> priority_levels_;
  std::uint64_t non_empty_levels_ = 0;
  std::vector<std::uint32_t> level_of_class_;
  std::size_t waiting_ = 0;
  sim::RingQueue<std::uint32_t> idle_servers_;  // FIFO: the longest-idle server serves next
  // Event kinds besides service done (kind 0); the payload is the server.
  static constexpr std::uint32_t kServerFails = 1;
  static constexpr std::uint32_t kServerRepaired = 2;
  std::unique_ptr<ServerFailures> failures_;  // null when servers never fail
  bool report_goodput_ = false;
  std::uint64_t goodput_completions_ = 0;  // completions of requests no caller had abandoned
  double wasted_busy_time_ = 0;            // server time of the others, s

  std::uint64_t services_started_ = 0;
  std::uint64_t waited_ = 0;  // services that started after a wait > 0
  sim::TimeAverage number_in_station_;
  sim::TimeAverage number_waiting_;
  // Each server's busy time in the window, added up when a service ends or is interrupted (one
  // update per service where a time-weighted level needs two); busy_since_ is when the current
  // service started, kIdle while the server is idle.
  static constexpr double kIdle = -1;
  std::vector<double> busy_time_;
  std::vector<double> busy_since_;
  Latencies waits_;
  Latencies sojourns_;
  std::vector<ClassStatistics> by_class_;  // empty with a single class
};

/// Reads a "station" node's own keys (servers, capacity, service, discipline, service_by_class);
/// the loader reads "to" and resolves the class names (resolve_station_classes).
StationConfig read_station(const Json& node, const Where& where);
/// Resolves the class names of "service_by_class" against the scenario's classes and keeps the
/// classes in the config; fails at where/service_by_class/NAME for an unknown class.
void resolve_station_classes(StationConfig& config, const Where& where,
                             const std::vector<RequestClass>& classes);
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const StationConfig& config);

}  // namespace capsim::models
