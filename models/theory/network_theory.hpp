#pragma once
// What theory says of a whole scenario: the closed form of every node that has one, found by
// walking the network from its sources (feed-forward), by the traffic equations (Jackson
// networks) or by mean value analysis (closed networks). Pure functions of the scenario.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "models/scenario/scenario.hpp"
#include "models/theory/analysis.hpp"

namespace capsim::models {

/// Every closed form that applies, from the scenario alone.
struct TheoryPlan {
  std::vector<NodeTheory> nodes;
  std::vector<PlannedCheck> checks;
  std::vector<std::string> warnings;
};

/// The plan of checks `validate` makes: every node's closed form, the network's end to end.
TheoryPlan plan_theory(const Scenario& scenario);

/// The closed-form value of every metric that has one, keyed by (node index, metric); node
/// index nodes.size() is end to end. Computed from the scenario alone.
std::map<std::pair<std::size_t, std::string>, double> closed_forms(const Scenario& scenario);

}  // namespace capsim::models
