#include "models/nodes/balancer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include "models/nodes/flow_metrics.hpp"
#include "models/nodes/network.hpp"

namespace capsim::models {

namespace {

constexpr double kMaxWeight = 1e9;
constexpr std::int64_t kMaxChoices = 1'000'000;
constexpr std::int64_t kMaxVirtualNodes = 100'000;
constexpr int kDefaultChoices = 2;
constexpr int kDefaultVirtualNodes = 100;

bool takes_weights(BalancerPolicy policy) {
  return policy == BalancerPolicy::weighted_random ||
         policy == BalancerPolicy::smooth_weighted_round_robin ||
         policy == BalancerPolicy::weighted_least_connections;
}

std::vector<double> read_weights(const Json& node, const Where& where,
                                 std::optional<std::size_t> backends) {
  const char* expected = "a list of numbers > 0, one per backend in \"to\"";
  if (!node.contains("weights")) {
    where.fail("no key \"weights\"", fmt::format("\"weights\": {}", expected));
  }
  const Json& list = node["weights"];
  const Where at = where / "weights";
  if (!list.is_array() || list.empty()) at.fail_value(list, expected);
  std::vector<double> weights;
  const Range range{0, false, kMaxWeight, true};
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Json& weight = list[i];
    if (!weight.is_number() || !range.contains(weight.get<double>())) {
      (at / i).fail_value(weight, range.describe("a weight"));
    }
    weights.push_back(weight.get<double>());
  }
  if (backends && weights.size() != *backends) {
    at.fail(fmt::format("{} weight{}", weights.size(), weights.size() == 1 ? "" : "s"),
            fmt::format("one weight per backend in \"to\" ({})", *backends));
  }
  return weights;
}

}  // namespace

const std::vector<std::string>& balancer_policy_names() {
  static const std::vector<std::string> names = {"random",
                                                 "weighted_random",
                                                 "round_robin",
                                                 "smooth_weighted_round_robin",
                                                 "least_connections",
                                                 "weighted_least_connections",
                                                 "power_of_d",
                                                 "consistent_hash"};
  return names;
}

Balancer::Balancer(Network& network, std::string name, const BalancerConfig& config)
    : Node(network, std::move(name)),
      rng_(network.stream(this->name() + "#balance")),
      config_(config) {}

void Balancer::start() {
  // The backends are known only once the loader has connected this node.
  const std::size_t n = targets().size();
  assert(n > 0);
  assert(!takes_weights(config_.policy) || config_.weights.size() == n);
  sent_.assign(n, 0);
  cursor_ = 0;
  total_weight_ = 0;
  cumulative_weight_.clear();
  for (double weight : config_.weights) cumulative_weight_.push_back(total_weight_ += weight);
  current_weight_.assign(config_.weights.size(), 0.0);
  sample_order_.resize(n);
  for (std::size_t i = 0; i < n; ++i) sample_order_[i] = static_cast<std::uint32_t>(i);
  if (config_.policy == BalancerPolicy::consistent_hash) {
    std::vector<std::string> names;
    for (const Node* backend : targets()) names.push_back(backend->name());
    ring_.emplace(names, config_.virtual_nodes);
  }
}

void Balancer::accept(RequestId id) {
  ++arrivals_;
  const std::size_t backend = choose(id);
  ++sent_[backend];
  targets()[backend]->accept(id);
}

std::size_t Balancer::choose(RequestId id) {
  const std::size_t n = targets().size();
  switch (config_.policy) {
    case BalancerPolicy::random:
      return static_cast<std::size_t>(rng_.below(n));
    case BalancerPolicy::weighted_random:
      return pick_weighted_random();
    case BalancerPolicy::round_robin: {
      const std::size_t backend = cursor_;
      cursor_ = cursor_ + 1 == n ? 0 : cursor_ + 1;
      return backend;
    }
    case BalancerPolicy::smooth_weighted_round_robin:
      return smooth_weighted_pick(current_weight_, config_.weights, total_weight_);
    case BalancerPolicy::least_connections:
      return pick_least_connections(false);
    case BalancerPolicy::weighted_least_connections:
      return pick_least_connections(true);
    case BalancerPolicy::power_of_d:
      return pick_power_of_d();
    case BalancerPolicy::consistent_hash:
      return ring_->owner(network_.requests()[id].key);
  }
  assert(false && "every policy is handled above");
  return 0;
}

std::size_t Balancer::pick_weighted_random() {
  const double u = rng_.uniform_open() * total_weight_;
  const auto it = std::upper_bound(cumulative_weight_.begin(), cumulative_weight_.end(), u);
  // u < total in exact arithmetic; rounding of the product must not run past the last backend.
  return std::min(static_cast<std::size_t>(it - cumulative_weight_.begin()),
                  cumulative_weight_.size() - 1);
}

std::size_t smooth_weighted_pick(std::vector<double>& current, const std::vector<double>& weights,
                                 double total) {
  // Spreads each backend's share over the cycle instead of sending it in a burst. Integer
  // weights stay exact in doubles; others drift by rounding only.
  std::size_t best = 0;
  for (std::size_t i = 0; i < current.size(); ++i) {
    current[i] += weights[i];
    if (current[i] > current[best]) best = i;
  }
  current[best] -= total;
  return best;
}

std::size_t Balancer::pick_least_connections(bool weighted) {
  const auto& backends = targets();
  const std::size_t n = backends.size();
  std::size_t best = cursor_;
  std::int64_t best_load = backends[best]->occupancy();
  // Nothing beats an empty backend, so the scan can stop at one.
  for (std::size_t k = 1; k < n && best_load > 0; ++k) {
    const std::size_t i = cursor_ + k < n ? cursor_ + k : cursor_ + k - n;
    const std::int64_t load = backends[i]->occupancy();
    // load / w_i < best_load / w_best, without dividing.
    const bool less = weighted ? static_cast<double>(load) * config_.weights[best] <
                                     static_cast<double>(best_load) * config_.weights[i]
                               : load < best_load;
    if (less) {
      best = i;
      best_load = load;
    }
  }
  cursor_ = best + 1 == n ? 0 : best + 1;
  return best;
}

// A partial Fisher-Yates shuffle: the first d entries of any permutation, after d swaps with
// uniformly chosen later entries, are d distinct backends in uniformly random order. The
// permutation never needs resetting, so a pick costs O(d) and allocates nothing.
std::size_t Balancer::pick_power_of_d() {
  const std::size_t n = sample_order_.size();
  std::size_t best = 0;
  std::int64_t best_load = std::numeric_limits<std::int64_t>::max();
  for (std::size_t j = 0; j < static_cast<std::size_t>(config_.choices); ++j) {
    const std::size_t k = j + static_cast<std::size_t>(rng_.below(n - j));
    std::swap(sample_order_[j], sample_order_[k]);
    const std::size_t candidate = sample_order_[j];
    const std::int64_t load = targets()[candidate]->occupancy();
    ++sampled_holding_[static_cast<std::size_t>(
        std::min<std::int64_t>(load, static_cast<std::int64_t>(kTailDepth)))];
    if (load < best_load) {
      best = candidate;
      best_load = load;
    }
  }
  return best;
}

void Balancer::reset_statistics() {
  arrivals_ = 0;
  std::fill(sent_.begin(), sent_.end(), 0);
  sampled_holding_.fill(0);
}

void Balancer::collect(Metrics& out) const {
  const double window = network_.simulator().now() - network_.window_start();
  const auto arrivals = static_cast<double>(arrivals_);
  // Dispatching is instantaneous: every arrival has left by the time accept() returns.
  add_flow_metrics(out, {.arrivals = arrivals_, .completions = arrivals_}, window,
                   {.can_reject = false});
  const auto& backends = targets();
  for (std::size_t i = 0; i < backends.size(); ++i) {
    const auto sent = static_cast<double>(i < sent_.size() ? sent_[i] : 0);
    out.add({"sent." + backends[i]->name(), sent});
    out.add({"share." + backends[i]->name(),
             arrivals > 0 ? sent / arrivals : std::numeric_limits<double>::quiet_NaN()});
  }
  if (config_.policy == BalancerPolicy::consistent_hash) {
    for (std::size_t i = 0; i < backends.size(); ++i) {
      out.add({"key_share." + backends[i]->name(), config_.key_shares.at(i)});
    }
  }
  if (config_.policy == BalancerPolicy::power_of_d) {
    std::uint64_t samples = 0;
    for (std::uint64_t count : sampled_holding_) samples += count;
    std::uint64_t at_least = samples;  // sampled backends holding at least i requests
    for (std::size_t i = 1; i <= kTailDepth; ++i) {
      at_least -= sampled_holding_[i - 1];
      out.add({fmt::format("tail.{}", i),
               samples > 0 ? static_cast<double>(at_least) / static_cast<double>(samples)
                           : std::numeric_limits<double>::quiet_NaN()});
    }
  }
}

BalancerConfig read_balancer(const Json& node, const Where& where) {
  const auto& names = balancer_policy_names();
  const std::string expected_policy = "a balancing policy: " + one_of(names);
  if (!node.contains("policy")) where.fail("no key \"policy\"", expected_policy);
  const Json& policy = node["policy"];
  const std::string name = policy.is_string() ? policy.get<std::string>() : std::string();
  const auto found = std::find(names.begin(), names.end(), name);
  if (found == names.end()) {
    std::string expected = expected_policy;
    if (auto guess = did_you_mean(name, names)) {
      expected += fmt::format(" (did you mean \"{}\"?)", *guess);
    }
    (where / "policy").fail_value(policy, expected);
  }
  BalancerConfig config;
  config.policy = static_cast<BalancerPolicy>(found - names.begin());

  using P = BalancerPolicy;
  reject_key_of_other_variants(
      node, where, "weights", "policy", "policies", config.policy,
      {P::weighted_random, P::smooth_weighted_round_robin, P::weighted_least_connections}, names);
  reject_key_of_other_variants(node, where, "d", "policy", "policies", config.policy,
                               {P::power_of_d}, names);
  reject_key_of_other_variants(node, where, "virtual_nodes", "policy", "policies", config.policy,
                               {P::consistent_hash}, names);

  // When "to" is a list it fixes the backend count the keys below must agree with; when it is
  // not, the loader reports "to" itself.
  const auto to = node.find("to");
  std::optional<std::size_t> backends;
  if (to != node.end() && to->is_array() && !to->empty()) backends = to->size();

  if (takes_weights(config.policy)) config.weights = read_weights(node, where, backends);
  if (config.policy == P::power_of_d) {
    config.choices =
        static_cast<int>(read_optional_integer(node, "d", where, Range{2, true, kMaxChoices, true})
                             .value_or(kDefaultChoices));
    if (backends && static_cast<std::size_t>(config.choices) > *backends) {
      if (node.contains("d")) {
        (where / "d")
            .fail_value(node["d"], fmt::format("an integer in [2, {}] (d backends are sampled from "
                                               "the {} in \"to\")",
                                               *backends, *backends));
      }
      (where / "to")
          .fail(fmt::format("{} backend", *backends),
                fmt::format("at least d = {} backends for policy power_of_d", config.choices));
    }
  }
  if (config.policy == P::consistent_hash) {
    config.virtual_nodes = static_cast<int>(
        read_optional_integer(node, "virtual_nodes", where,
                              Range{1, true, static_cast<double>(kMaxVirtualNodes), true})
            .value_or(kDefaultVirtualNodes));
  }
  return config;
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const BalancerConfig& config) {
  return std::make_unique<Balancer>(network, name, config);
}

}  // namespace capsim::models
