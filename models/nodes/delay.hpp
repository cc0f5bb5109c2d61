#pragma once
// A delay: every request is held for a random time independently of the others (an
// infinite-server station), e.g. network latency or a user's think time.

#include <memory>
#include <string>

#include "models/io/json_input.hpp"
#include "models/nodes/flow_metrics.hpp"
#include "models/nodes/node.hpp"
#include "sim/distribution.hpp"
#include "sim/quantile_histogram.hpp"
#include "sim/rng.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

struct DelayConfig {
  sim::Distribution delay = sim::Distribution::deterministic(0.001);  ///< time held, s
};

class Delay final : public Node {
 public:
  Delay(Network& network, std::string name, const DelayConfig& config);

  void accept(RequestId id) override;
  std::int64_t occupancy() const override { return flow_.held; }
  void reset_statistics() override;
  void collect(Metrics& out) const override;
  void on_event(std::uint32_t kind, std::uint64_t payload) override;

 private:
  sim::Rng rng_;
  sim::Distribution delay_;
  FlowCounts flow_;  // completions: counted by sojourns_
  sim::TimeAverage number_in_node_;
  Latencies sojourns_;
};

/// Reads a "delay" node's own keys ("delay"); the loader reads "to".
DelayConfig read_delay(const Json& node, const Where& where);
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const DelayConfig& config);

}  // namespace capsim::models
