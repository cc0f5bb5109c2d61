#pragma once
// One replication of a scenario: its network of nodes, built from the scenario's descriptions.

#include <cstdint>

#include "models/nodes/network.hpp"
#include "models/scenario/scenario.hpp"

namespace capsim::models {

class Replication final : public Network {
 public:
  /// Builds every node of `scenario` with its own random stream for this replication and links
  /// them along the scenario's routes. `scenario` must outlive it.
  Replication(const Scenario& scenario, std::uint64_t replication);
};

}  // namespace capsim::models
