#pragma once
// A service station: c identical servers, a FIFO queue, an optional capacity limit.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/json_input.hpp"
#include "models/node.hpp"
#include "sim/distribution.hpp"
#include "sim/quantile_histogram.hpp"
#include "sim/ring_queue.hpp"
#include "sim/rng.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

struct StationConfig {
  int servers = 1;  ///< c identical servers, >= 1
  /// K: most requests in the station, in service included (>= servers). Absent: unlimited.
  /// An arrival that finds K present is rejected.
  std::optional<std::int64_t> capacity;
  sim::Distribution service = sim::Distribution::exponential(1.0);  ///< service time, s
};

class Station final : public Node {
 public:
  Station(Network& network, std::string name, const StationConfig& config);

  void accept(RequestId id) override;
  std::int64_t occupancy() const override { return in_station_; }
  void reset_statistics() override;
  void collect(Metrics& out) const override;
  void on_event(std::uint32_t kind, std::uint64_t payload) override;

 private:
  void start_service(RequestId id, double now);

  sim::Rng rng_;
  sim::Distribution service_;
  std::int64_t capacity_;  // INT64_MAX when unlimited

  std::int64_t in_station_ = 0;
  sim::RingQueue<RequestId> queue_;
  sim::RingQueue<std::uint32_t> idle_servers_;  // FIFO: the longest-idle server serves next

  std::uint64_t arrivals_ = 0;
  std::uint64_t rejections_ = 0;
  std::uint64_t completions_ = 0;
  std::uint64_t services_started_ = 0;
  std::uint64_t waited_ = 0;  // services that started after a wait > 0
  std::int64_t in_station_at_start_ = 0;
  sim::TimeAverage number_in_station_;
  sim::TimeAverage number_waiting_;
  std::vector<sim::TimeAverage> server_busy_;
  sim::Tally wait_;
  sim::Tally sojourn_;
  sim::QuantileHistogram wait_histogram_;
  sim::QuantileHistogram sojourn_histogram_;
};

/// Reads a "station" node's own keys (servers, capacity, service); the loader reads "to".
StationConfig read_station(const Json& node, const Where& where);
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const StationConfig& config);

}  // namespace capsim::models
