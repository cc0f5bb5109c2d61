#include <fmt/format.h>

#include "models/nodes/resilience.hpp"
#include "models/scenario/links.hpp"

namespace capsim::models {

namespace {

// Where a node sends what it turns away: a limiter's rejected requests (to[1]), a retry node's
// or a breaker's failed callers (to[2]); nullopt when it has no such route.
std::optional<std::size_t> rejection_route(const NodeSpec& spec) {
  std::size_t route = 0;
  if (std::holds_alternative<LimiterConfig>(spec.config)) {
    route = 1;
  } else if (std::holds_alternative<RetryConfig>(spec.config) ||
             std::holds_alternative<BreakerConfig>(spec.config)) {
    route = 2;
  } else {
    return std::nullopt;
  }
  if (route >= spec.targets.size()) return std::nullopt;
  return route;
}

}  // namespace

void link_calls(Scenario& scenario, const Json& nodes, const Where& nodes_at) {
  const std::size_t n = scenario.nodes.size();
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& name = scenario.nodes[i].name;
    // Turned-away requests sent back to the node that turned them away come back again and
    // again: a retry loop with neither a bound on attempts nor a budget, whose load grows
    // without limit under overload (and which never ends at one instant when nothing on the
    // way takes time, as when a limiter's rejections go straight back to it).
    if (const auto route = rejection_route(scenario.nodes[i])) {
      if (reachable_from(scenario, {scenario.nodes[i].targets[*route]})[i]) {
        const std::string how =
            std::holds_alternative<RetryConfig>(scenario.nodes[i].config)
                ? fmt::format("its own \"attempts\" and \"budget\" bound the retries")
                : fmt::format(
                      "to retry them, put a retry node with \"attempts\" or "
                      "\"budget\" in front of {}",
                      name);
        (nodes_at / i / "to" / *route)
            .fail_value(nodes[i]["to"][*route],
                        fmt::format("a route for the requests {} turns away that does not lead "
                                    "back to {} (a retry loop without attempts or budget: they "
                                    "would come back without end); {}",
                                    name, name, how));
      }
    }
    const NodeConfig& config = scenario.nodes[i].config;
    std::optional<double> timeout;
    if (const auto* retry = std::get_if<RetryConfig>(&config)) {
      timeout = retry->timeout;
    } else if (const auto* breaker = std::get_if<BreakerConfig>(&config)) {
      timeout = breaker->timeout;
    } else {
      continue;
    }
    // Every node a call can visit (sinks end it).
    const std::vector<bool> seen = reachable_from(scenario, {scenario.nodes[i].targets[0]});
    if (seen[i]) {
      (nodes_at / i / "to" / 0)
          .fail_value(nodes[i]["to"][0],
                      fmt::format("a service whose routes do not lead back to {} (each call "
                                  "would become a caller of {} again, without end)",
                                  name, name));
    }
    if (!timeout) continue;
    for (std::size_t at = 0; at < n; ++at) {
      if (auto* station = std::get_if<StationConfig>(&scenario.nodes[at].config);
          station && seen[at]) {
        station->report_goodput = true;
      }
    }
  }
}

}  // namespace capsim::models
