#include "models/nodes/cache.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>

#include "models/nodes/balancer.hpp"
#include "models/nodes/network.hpp"

namespace capsim::models {

namespace {

// Slots are 32-bit and every slot costs about 40 bytes; 10^8 keys is 4 GB already.
constexpr double kMaxCapacity = 1e8;

const std::vector<std::string>& ttl_reset_names() {
  static const std::vector<std::string> names = {"miss", "hit"};
  return names;
}

}  // namespace

Cache::Cache(Network& network, std::string name, const CacheConfig& config)
    : Node(network, std::move(name)),
      config_(config),
      policy_(make_cache_policy(config.policy, config.capacity, config.ttl,
                                network.stream(this->name() + "#evict"))),
      latency_rng_(network.stream(this->name())),
      write_time_rng_(network.stream(this->name() + "#writes")),
      write_key_rng_(network.stream(this->name() + "#write_keys")) {
  if (config.keys) {
    // k < N/100 exactly when k < ceil(N/100).
    top1_end_ = (config.keys->count + 99) / 100;
    top10_end_ = (config.keys->count + 9) / 10;
  }
}

void Cache::start() {
  if (config_.write_rate > 0) schedule_write();
}

void Cache::schedule_write() {
  const double gap = -std::log(write_time_rng_.uniform_open()) / config_.write_rate;
  network_.simulator().schedule(gap, *this, kWrite);
}

void Cache::record_entries(double now) {
  entries_.set(now, static_cast<double>(policy_->size()));
}

void Cache::accept(RequestId id) {
  const double now = network_.simulator().now();
  Request& request = network_.requests()[id];
  ++flow_.arrivals;
  const bool hit = policy_->access(request.key, now);
  record_entries(now);
  if (hit) ++hits_;
  if (config_.keys) {
    const std::uint64_t key = request.key;
    const bool top1 = key < top1_end_;
    const bool top10 = key < top10_end_;
    band_requests_[kTop1] += top1;
    band_hits_[kTop1] += top1 && hit;
    band_requests_[kTop10] += top10;
    band_hits_[kTop10] += top10 && hit;
    band_requests_[kRest] += !top10;
    band_hits_[kRest] += !top10 && hit;
  }
  if (hit && config_.hit_latency) {
    request.node_arrival = now;
    number_held_.set(now, static_cast<double>(++flow_.held));
    network_.simulator().schedule(config_.hit_latency->sample(latency_rng_), *this, kHitServed, id);
    return;
  }
  pass_on(id, hit);
}

void Cache::pass_on(RequestId id, bool hit) {
  ++flow_.completions;
  if (config_.hit_latency && !hit) sojourn_.add(0);
  targets()[hit ? 0 : 1]->accept(id);
}

void Cache::on_event(std::uint32_t kind, std::uint64_t payload) {
  const double now = network_.simulator().now();
  if (kind == kWrite) {
    ++writes_;
    if (policy_->invalidate(config_.keys->sample(write_key_rng_), now)) ++invalidations_;
    record_entries(now);
    schedule_write();
    return;
  }
  const auto id = static_cast<RequestId>(payload);
  sojourn_.add(now - network_.requests()[id].node_arrival);
  number_held_.set(now, static_cast<double>(--flow_.held));
  pass_on(id, true);
}

void Cache::reset_statistics() {
  const double now = network_.simulator().now();
  flow_.reset();
  hits_ = writes_ = invalidations_ = 0;
  std::fill(std::begin(band_requests_), std::end(band_requests_), 0);
  std::fill(std::begin(band_hits_), std::end(band_hits_), 0);
  evictions_at_start_ = policy_->evictions();
  expirations_at_start_ = policy_->expirations();
  policy_->start_window(now);
  entries_.reset(now);
  number_held_.reset(now);
  sojourn_.reset();
}

void Cache::collect(Metrics& out) const {
  const double now = network_.simulator().now();
  const double window = now - network_.window_start();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto ratio = [nan](std::uint64_t part, std::uint64_t whole) {
    return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : nan;
  };
  add_flow_metrics(out, flow_, window, {.can_reject = false});
  out.add({"hits", static_cast<double>(hits_)});
  out.add({"misses", static_cast<double>(flow_.arrivals - hits_)});
  out.add({"hit_ratio", ratio(hits_, flow_.arrivals)});
  if (config_.keys) {
    out.add({"hit_ratio.top1pct", ratio(band_hits_[kTop1], band_requests_[kTop1])});
    out.add({"hit_ratio.top10pct", ratio(band_hits_[kTop10], band_requests_[kTop10])});
    out.add({"hit_ratio.rest", ratio(band_hits_[kRest], band_requests_[kRest])});
  }
  out.add({"evictions", static_cast<double>(policy_->evictions() - evictions_at_start_)});
  // The stored count includes expired entries until they are removed; their overdue time is
  // taken out so that "entries" counts live ones only.
  const double live_area = entries_.mean(now) * window - policy_->overdue_time(now);
  out.add({"entries", window > 0 ? live_area / window : nan});
  if (config_.policy == CachePolicyKind::ttl) {
    out.add({"expirations", static_cast<double>(policy_->expirations() - expirations_at_start_)});
  }
  if (config_.write_rate > 0) {
    out.add({"writes", static_cast<double>(writes_)});
    out.add({"invalidations", static_cast<double>(invalidations_)});
  }
  if (config_.hit_latency) {
    out.add({"L", number_held_.mean(now)});
    out.add({"W", sojourn_.mean()});
  }
}

CacheConfig read_cache(const Json& node, const Where& where) {
  CacheConfig config;
  if (node.contains("policy")) {
    config.policy = static_cast<CachePolicyKind>(
        read_choice(node, "policy", where, cache_policy_names(), "a cache policy"));
  }
  const bool ttl = config.policy == CachePolicyKind::ttl;
  const std::string& policy = cache_policy_names()[static_cast<std::size_t>(config.policy)];
  if (node.contains("capacity") || !ttl) {
    if (!node.contains("capacity")) {
      where.fail("no key \"capacity\"",
                 fmt::format("a \"capacity\" (the most keys cached) for policy {}", policy));
    }
    config.capacity = static_cast<std::uint64_t>(
        read_integer(node, "capacity", where, Range{1, true, kMaxCapacity, true}));
  }
  if (ttl) {
    if (!node.contains("ttl")) {
      where.fail("no key \"ttl\"", "a \"ttl\" (time to live, s) for policy ttl");
    }
    config.ttl.ttl = read_number(node, "ttl", where, Range{0, false, 1e15, true});
    if (node.contains("ttl_reset")) {
      config.ttl.reset_on_hit =
          read_choice(node, "ttl_reset", where, ttl_reset_names(), "when the timer restarts") == 1;
    }
  } else {
    for (const char* key : {"ttl", "ttl_reset"}) {
      if (node.contains(key)) {
        (where / key)
            .fail_value(node[key], fmt::format("no \"{}\" with policy {} (only with "
                                               "policy ttl)",
                                               key, policy));
      }
    }
  }
  if (node.contains("hit_latency")) {
    config.hit_latency = read_distribution(node["hit_latency"], where / "hit_latency");
  }
  if (node.contains("writes")) {
    const Where at = where / "writes";
    const Json& writes = node["writes"];
    require_object(writes, at, "a write stream such as {\"rate\": 10}");
    check_keys(writes, at, {"rate"});
    if (config.policy == CachePolicyKind::perfect_lfu) {
      at.fail_value(writes,
                    "no writes with policy perfect_lfu (an invalidated key keeps its "
                    "count, which breaks its O(1) bookkeeping): use lfu");
    }
    config.write_rate = read_number(writes, "rate", at, Range{0, false, limits::kMaxRate, true});
  }
  if (const auto to = node.find("to"); to != node.end() && (!to->is_array() || to->size() != 2)) {
    const char* expected = "a list of two node names: [where hits go, where misses go]";
    if (to->is_array())
      (where / "to").fail(fmt::format("a list of {} names", to->size()), expected);
    (where / "to").fail_value(*to, expected);
  }
  return config;
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const CacheConfig& config) {
  return std::make_unique<Cache>(network, name, config);
}

}  // namespace capsim::models
