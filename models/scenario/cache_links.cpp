#include <fmt/format.h>

#include "models/nodes/cache.hpp"
#include "models/scenario/links.hpp"

namespace capsim::models {

void link_caches(Scenario& scenario) {
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    NodeSpec& spec = scenario.nodes[i];
    auto* config = std::get_if<CacheConfig>(&spec.config);
    if (config == nullptr) continue;
    std::optional<KeySpace> shared;
    bool mixed = false;
    std::string obstacle;
    auto note = [&](std::string reason) {
      if (obstacle.empty()) obstacle = std::move(reason);
    };
    for (std::size_t feeder : upstream_nodes(scenario, i)) {
      const NodeSpec& up = scenario.nodes[feeder];
      const Where at = Where(scenario.file) / "nodes" / feeder;
      if (feeder == i) {
        note("some of its own requests come back to it");
      } else if (const auto* source = std::get_if<SourceConfig>(&up.config)) {
        if (source->trace) {
          mixed = true;
          note(fmt::format("source {} replays keys from a trace", up.name));
        } else if (!source->keys) {
          // Without keys every request would carry key 0: one key, always a hit.
          at.fail("no key \"keys\"",
                  fmt::format("a \"keys\" key space such as {{\"count\": 1000000, "
                              "\"popularity\": \"zipf\", \"alpha\": 0.8}}, since source {} "
                              "feeds the cache {} (/nodes/{}), which looks requests up by key",
                              up.name, spec.name, i));
        } else if (!shared) {
          shared = source->keys;
        } else if (!shared->same_distribution(*source->keys)) {
          mixed = true;
          note(fmt::format("its sources draw keys from different key spaces ({} and {})",
                           shared->describe(), source->keys->describe()));
        }
      } else if (std::holds_alternative<ClientsConfig>(up.config)) {
        at.fail(fmt::format("clients {} feeding the cache {} (/nodes/{})", up.name, spec.name, i),
                "requests with keys (clients send every request with key 0): feed a cache from "
                "sources with \"keys\"");
      } else if (const auto* balancer = std::get_if<BalancerConfig>(&up.config)) {
        if (balancer->policy == BalancerPolicy::consistent_hash) {
          note(fmt::format("consistent_hash balancer {} upstream sends it only the keys it owns",
                           up.name));
        }
      } else if (!std::holds_alternative<StationConfig>(up.config) &&
                 !std::holds_alternative<DelayConfig>(up.config)) {
        // Stations and delays pass keys through in an order that does not depend on them;
        // other nodes (another cache's misses, forks, ...) may change which keys arrive.
        note(fmt::format("its requests pass through {} (a {}), which may change which keys arrive",
                         up.name, up.type));
      }
    }
    config->keys = mixed ? std::nullopt : shared;
    config->not_independent = obstacle;
    if (config->write_rate > 0 && !config->keys) {
      (Where(scenario.file) / "nodes" / i / "writes")
          .fail(fmt::format("writes but no single key space to draw their keys from ({})",
                            obstacle.empty() ? "no source feeds it" : obstacle),
                fmt::format("sources feeding the cache {} that all draw from one \"keys\" key "
                            "space",
                            spec.name));
    }
  }
}

}  // namespace capsim::models
