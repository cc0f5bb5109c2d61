#pragma once
// An open-loop source: requests arrive with independent inter-arrival times, whatever the state
// of the system.

#include <memory>
#include <optional>
#include <string>

#include "models/json_input.hpp"
#include "models/key_space.hpp"
#include "models/node.hpp"
#include "sim/distribution.hpp"
#include "sim/rng.hpp"

namespace capsim::models {

struct SourceConfig {
  sim::Distribution interarrival = sim::Distribution::exponential(1.0);  ///< time between arrivals, s
  std::optional<KeySpace> keys;  ///< gives every request a key; absent: key 0
};

class Source final : public Node {
 public:
  Source(Network& network, std::string name, const SourceConfig& config);

  void start() override;
  void accept(RequestId id) override;
  void reset_statistics() override;
  void collect(Metrics& out) const override;
  void on_event(std::uint32_t kind, std::uint64_t payload) override;

 private:
  sim::Rng rng_;
  sim::Rng key_rng_;  // its own stream: adding keys leaves the arrival times alone
  sim::Distribution interarrival_;
  std::optional<KeySpace> keys_;
  std::uint64_t generated_ = 0;
};

/// Reads a "source" node's own keys ("arrival", "keys"); the loader reads "to".
SourceConfig read_source(const Json& node, const Where& where);
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const SourceConfig& config);

}  // namespace capsim::models
