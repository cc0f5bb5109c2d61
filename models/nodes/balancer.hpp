#pragma once
// A load balancer: sends each request on, instantly, to one of its backends ("to") chosen by a
// policy. It holds no request, so it has no queue and no sojourn of its own.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/io/json_input.hpp"
#include "models/nodes/hash_ring.hpp"
#include "models/nodes/node.hpp"
#include "sim/rng.hpp"

namespace capsim::models {

/// How a balancer picks a backend. Costs are per request, for n backends.
enum class BalancerPolicy : std::uint8_t {
  random,                       ///< uniformly at random, O(1)
  weighted_random,              ///< with probability weight / total weight, O(log n)
  round_robin,                  ///< in turn, in the order of "to", O(1)
  smooth_weighted_round_robin,  ///< nginx's smooth weighted round robin, O(n)
  least_connections,            ///< fewest requests held (Node::occupancy), O(n)
  weighted_least_connections,   ///< least occupancy / weight, O(n)
  power_of_d,                   ///< least occupied of d backends sampled at random, O(d)
  consistent_hash,              ///< owner of the request's key on a hash ring, O(log(n V))
};

/// The policy names of the scenario format, indexed by BalancerPolicy.
const std::vector<std::string>& balancer_policy_names();

struct BalancerConfig {
  BalancerPolicy policy = BalancerPolicy::round_robin;
  /// One per backend, in the order of "to", all > 0: weighted_random,
  /// smooth_weighted_round_robin and weighted_least_connections only; empty otherwise.
  std::vector<double> weights;
  int choices = 2;          ///< d, backends sampled per request (power_of_d): 2 <= d <= n
  int virtual_nodes = 100;  ///< points per backend on the hash ring (consistent_hash), >= 1
  /// consistent_hash only, set by link_balancers once the network is wired: N, the largest key
  /// count among the sources feeding the balancer (a trace's largest key + 1), and the fraction
  /// of the keys 0 .. N-1 that each backend owns (HashRing::key_shares).
  std::uint64_t key_count = 0;
  std::vector<double> key_shares;
  /// The expected fraction of the requests each backend gets: the total popularity of the keys
  /// it owns. Set only when every source feeding the balancer draws keys from the same key
  /// space (a trace's keys have no known popularity); empty otherwise, with the reason in
  /// `no_request_shares`.
  std::vector<double> request_shares;
  std::string no_request_shares;
};

/// Dispatches every request at once to one backend. Decisions that need randomness draw from
/// the stream "<name>#balance". Tie-breaking, deterministic:
/// - least connections (plain and weighted): the first backend with the least (weighted)
///   occupancy, scanning "to" from the one after the previous pick, so ties rotate round robin;
/// - power of d: the first sampled among the least occupied (the sample order is random);
/// - smooth weighted round robin: the first in "to" among the largest current weights.
/// Metrics: arrivals, completions (= requests dispatched), rejections (0), in_system.start and
/// in_system.end (0), arrival_rate, throughput (dispatched/s), and per backend B "sent.B" (count)
/// and "share.B" (fraction of the requests); with consistent_hash also "key_share.B"; with
/// power_of_d "tail.i" for i = 1 .. kTailDepth: the fraction of the sampled backends that held
/// at least i requests, which estimates the fraction of all backends holding at least i as
/// requests find them (every backend is equally likely to be sampled).
class Balancer final : public Node {
 public:
  /// power_of_d reports the queue-length tail this deep.
  static constexpr std::size_t kTailDepth = 8;

  Balancer(Network& network, std::string name, const BalancerConfig& config);

  void start() override;
  void accept(RequestId id) override;
  void reset_statistics() override;
  void collect(Metrics& out) const override;

 private:
  std::size_t choose(RequestId id);
  std::size_t pick_weighted_random();
  std::size_t pick_least_connections(bool weighted);
  std::size_t pick_power_of_d();

  sim::Rng rng_;
  BalancerConfig config_;
  std::size_t cursor_ = 0;                 // next in turn (round robin, least connections scan)
  std::vector<double> cumulative_weight_;  // weighted_random: running sums of the weights
  std::vector<double> current_weight_;     // smooth weighted round robin
  double total_weight_ = 0;
  std::vector<std::uint32_t> sample_order_;  // power_of_d: a permutation, partly shuffled per pick
  // power_of_d: sampled backends by the requests they held, the last bucket for kTailDepth or
  // more.
  std::array<std::uint64_t, kTailDepth + 1> sampled_holding_{};
  std::optional<HashRing> ring_;

  std::uint64_t arrivals_ = 0;
  std::vector<std::uint64_t> sent_;  // per backend, since the last reset
};

/// One pick of nginx's smooth weighted round robin (ngx_http_upstream_get_peer): every backend's
/// current weight grows by its weight, the largest (first in order on ties) is picked and pays
/// back `total` (the sum of the weights). `current` starts at zeros; with integer weights it is
/// back to zeros after `total` picks, in which each backend was picked weight times.
std::size_t smooth_weighted_pick(std::vector<double>& current, const std::vector<double>& weights,
                                 double total);

/// Reads a "balancer" node's own keys (policy, weights, d, virtual_nodes). Counts are checked
/// against "to" when it is a list; the loader reads and checks "to" itself.
BalancerConfig read_balancer(const Json& node, const Where& where);
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const BalancerConfig& config);

}  // namespace capsim::models
