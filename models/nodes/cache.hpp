#pragma once
// A cache in front of something slower (a CDN edge, Redis in front of a database): each request
// looks its key up; a hit goes one way (after an optional hit latency), a miss the other, and the
// key is inserted at once (the fill is not delayed until the miss is served).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/io/json_input.hpp"
#include "models/nodes/cache_policies.hpp"
#include "models/nodes/flow_metrics.hpp"
#include "models/nodes/key_space.hpp"
#include "models/nodes/node.hpp"
#include "sim/distribution.hpp"
#include "sim/rng.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

struct CacheConfig {
  CachePolicyKind policy = CachePolicyKind::lru;
  /// C, the most keys cached, >= 1; 0 means unlimited (policy ttl only).
  std::uint64_t capacity = 0;
  TtlSettings ttl;  ///< policy ttl only
  /// Hits are held this long before going on (s); absent: they go on at once.
  std::optional<sim::Distribution> hit_latency;
  /// Writes per second in total, a Poisson stream, each invalidating (removing) one key drawn
  /// from the same popularity as the reads; 0: no writes.
  double write_rate = 0;

  // Set by link_caches once the network is wired:
  /// The key space every source feeding the cache draws from, when they share one (bands of
  /// popularity, writes and theory need it).
  std::optional<KeySpace> keys;
  /// Why the keys reaching the cache are not independent draws from `keys` (empty when they
  /// are: the independent reference model holds).
  std::string not_independent;
};

/// Looks every request's key (Request::key) up. Routes ("to", a list of two distinct nodes):
/// hits to the first, misses to the second.
///
/// Metrics over the measurement window: arrivals, completions (requests sent on), rejections
/// (0), in_system.start/end (requests held by a hit latency), arrival_rate, throughput
/// (completions/s), hits, misses, hit_ratio (hits / arrivals), with a key space also
/// hit_ratio.top1pct, hit_ratio.top10pct (requests for keys k < N/100 and k < N/10: the most
/// popular 1% and 10% of the keys, key 0 being the most popular) and hit_ratio.rest (the other
/// keys, k >= N/10); evictions (entries removed to make room), entries (time-average number of
/// keys cached, exact even though expired TTL entries are removed lazily); expirations (ttl);
/// writes and invalidations (writes that found their key cached) with writes; L and W with a
/// hit latency (W averages over every request, a miss spending 0 s here).
class Cache final : public Node {
 public:
  Cache(Network& network, std::string name, const CacheConfig& config);

  void start() override;
  void accept(RequestId id) override;
  std::int64_t occupancy() const override { return flow_.held; }
  void reset_statistics() override;
  void collect(Metrics& out) const override;
  void on_event(std::uint32_t kind, std::uint64_t payload) override;

 private:
  enum Event : std::uint32_t { kHitServed, kWrite };
  enum Band : std::size_t { kTop1, kTop10, kRest, kBands };

  void record_entries(double now);
  void schedule_write();
  void pass_on(RequestId id, bool hit);

  CacheConfig config_;
  std::unique_ptr<CachePolicy> policy_;
  sim::Rng latency_rng_;
  sim::Rng write_time_rng_;  // the writes' times and their keys are independent purposes
  sim::Rng write_key_rng_;
  std::uint64_t top1_end_ = 0;  // keys below this are the top 1% (bands only with a key space)
  std::uint64_t top10_end_ = 0;

  FlowCounts flow_;  // held: hits waiting out the hit latency
  std::uint64_t hits_ = 0;
  std::uint64_t band_requests_[kBands] = {};
  std::uint64_t band_hits_[kBands] = {};
  std::uint64_t writes_ = 0;
  std::uint64_t invalidations_ = 0;
  std::uint64_t evictions_at_start_ = 0;
  std::uint64_t expirations_at_start_ = 0;
  sim::TimeAverage entries_;  // keys stored, expired TTL entries awaiting removal included
  sim::TimeAverage number_held_;
  sim::Tally sojourn_;  // every completion; 0 for misses
};

/// Reads a "cache" node's own keys (capacity, policy, ttl, ttl_reset, hit_latency, writes) and
/// checks that "to" is a list of two names; the loader reads "to" itself.
CacheConfig read_cache(const Json& node, const Where& where);
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const CacheConfig& config);

}  // namespace capsim::models
