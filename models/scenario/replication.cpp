#include "models/scenario/replication.hpp"

#include <variant>
#include <vector>

namespace capsim::models {

Replication::Replication(const Scenario& scenario, std::uint64_t replication)
    : Network(scenario.seed, replication, scenario.warmup, scenario.duration) {
  for (const NodeSpec& spec : scenario.nodes) {
    add_node(std::visit([&](const auto& config) { return make_node(*this, spec.name, config); },
                        spec.config));
  }
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    std::vector<Node*> targets;
    for (std::size_t target : scenario.nodes[i].targets) targets.push_back(&node(target));
    node(i).connect(std::move(targets), scenario.nodes[i].probabilities);
  }
}

}  // namespace capsim::models
