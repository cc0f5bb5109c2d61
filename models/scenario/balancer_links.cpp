#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/nodes/balancer.hpp"
#include "models/scenario/links.hpp"
#include "sim/analytic/cache.hpp"

namespace capsim::models {

namespace {

// The total popularity of the keys each backend owns. Beyond the first kExactKeyLimit keys each
// key is so rare, and their points so many and independent, that their total popularity splits
// like the circle.
std::vector<double> popularity_shares(const HashRing& ring, const KeySpace& keys) {
  if (keys.is_uniform()) return ring.key_shares(keys.count);
  const analytic::ZipfPopularity popularity(keys.count, keys.alpha);
  std::vector<double> shares(ring.backend_count(), 0.0);
  const std::uint64_t head = std::min(keys.count, HashRing::kExactKeyLimit);
  double head_total = 0;
  for (std::uint64_t key = 0; key < head; ++key) {
    const double p = popularity.probability(key);
    shares[ring.owner(key)] += p;
    head_total += p;
  }
  if (head < keys.count) {
    const std::vector<double> arcs = ring.arc_shares();
    for (std::size_t b = 0; b < shares.size(); ++b) shares[b] += (1 - head_total) * arcs[b];
  }
  return shares;
}

}  // namespace

void link_balancers(Scenario& scenario) {
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    NodeSpec& spec = scenario.nodes[i];
    auto* config = std::get_if<BalancerConfig>(&spec.config);
    if (config == nullptr || config->policy != BalancerPolicy::consistent_hash) continue;
    std::uint64_t key_count = 0;
    std::optional<KeySpace> key_space;  // shared by every feeding source, when it is
    for (std::size_t feeder : upstream_nodes(scenario, i)) {
      const auto* source = std::get_if<SourceConfig>(&scenario.nodes[feeder].config);
      if (source == nullptr) continue;
      if (source->trace && !source->keys) {
        key_count = std::max(key_count, source->trace->key_count);
        config->no_request_shares = fmt::format(
            "source {} replays the keys of a trace, whose popularity is not known in advance",
            scenario.nodes[feeder].name);
        continue;
      }
      if (!source->keys) {
        // Without keys every request would carry key 0 and land on one backend.
        (Where(scenario.file) / "nodes" / feeder)
            .fail("no key \"keys\"",
                  fmt::format("a \"keys\" key space such as {{\"count\": 1000000}}, since source "
                              "{} feeds the consistent_hash balancer {} (/nodes/{}), which "
                              "routes by request key",
                              scenario.nodes[feeder].name, spec.name, i));
      }
      key_count = std::max(key_count, source->keys->count);
      if (!key_space) {
        key_space = *source->keys;
      } else if (!key_space->same_distribution(*source->keys) &&
                 config->no_request_shares.empty()) {
        config->no_request_shares =
            fmt::format("the sources feeding it draw keys from different key spaces ({} and {})",
                        key_space->describe(), source->keys->describe());
      }
    }
    std::vector<std::string> backends;
    for (std::size_t target : spec.targets) backends.push_back(scenario.nodes[target].name);
    const HashRing ring(backends, config->virtual_nodes);
    config->key_count = key_count;
    config->key_shares = key_count > 0 ? ring.key_shares(key_count) : ring.arc_shares();
    if (key_space && config->no_request_shares.empty()) {
      config->request_shares = popularity_shares(ring, *key_space);
    }
  }
}

}  // namespace capsim::models
