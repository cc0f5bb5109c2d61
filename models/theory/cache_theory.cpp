// validate for caches. When every request's key is an independent draw from one popularity
// (the independent reference model, IRM: sources with "keys", through stations and delays), the
// hit ratio has exact closed forms for perfect LFU (the static top-C cache), FIFO and random
// replacement (product form, for key spaces small enough to sum over exactly) and TTL caches
// without a capacity (Poisson requests), also for one shard of a consistent-hash ring over the keys
// it owns (perfect LFU and TTL). Che's approximation for LRU is checked with its stated
// error added to the tolerance (caches of kCheMinCapacity keys or more); the characteristic-time
// approximation for large FIFO/random caches and the top-C bound for in-cache LFU are shown but
// not checked.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "models/io/text_format.hpp"
#include "models/nodes/balancer.hpp"
#include "models/nodes/cache.hpp"
#include "models/nodes/hash_ring.hpp"
#include "models/theory/analysis.hpp"
#include "sim/analytic/cache.hpp"

namespace capsim::models {

namespace {

/// Largest N * C for which the exact FIFO / random-replacement hit ratio (an O(N C) sum) is
/// computed: about 0.2 s.
constexpr double kExactFifoWork = 2e8;

// Hit ratios of the three popularity bands the cache reports, [first, last) in key order.
struct Band {
  const char* metric;
  const char* label;
  std::uint64_t first, last;
};

std::vector<Band> bands(std::uint64_t keys) {
  const std::uint64_t top1 = (keys + 99) / 100;
  const std::uint64_t top10 = (keys + 9) / 10;
  std::vector<Band> out = {{"hit_ratio.top1pct", "top 1%", 0, top1},
                           {"hit_ratio.top10pct", "top 10%", 0, top10}};
  if (top10 < keys) out.push_back({"hit_ratio.rest", "rest", top10, keys});
  return out;
}

// One model's prediction: overall and per band.
struct Prediction {
  double overall = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::pair<Band, double>> by_band;
};

Prediction predict(const analytic::ZipfPopularity& popularity,
                   const std::function<double(std::uint64_t, std::uint64_t)>& hit_ratio_of) {
  Prediction prediction;
  prediction.overall = hit_ratio_of(0, popularity.keys());
  for (const Band& band : bands(popularity.keys())) {
    prediction.by_band.emplace_back(band, hit_ratio_of(band.first, band.last));
  }
  return prediction;
}

std::string describe(const Prediction& prediction) {
  std::string bands_text;
  for (const auto& [band, value] : prediction.by_band) {
    bands_text +=
        fmt::format("{}{} {}", bands_text.empty() ? "" : ", ", band.label, format_number(value, 4));
  }
  return fmt::format("hit ratio {} ({})", format_number(prediction.overall, 4), bands_text);
}

void plan(Analysis& analysis, std::size_t node, const Prediction& prediction, bool with_bands) {
  analysis.checks.push_back({node, "hit_ratio", prediction.overall});
  if (!with_bands) return;
  for (const auto& [band, value] : prediction.by_band) {
    analysis.checks.push_back({node, band.metric, value});
  }
}

// One shard of a distributed cache: fed only by a consistent_hash balancer whose requests all come
// from sources drawing keys from one key space, it sees the independent reference model over the
// keys the ring gives it. Their popularities, in key order (most popular first), or why not.
std::optional<std::vector<double>> shard_popularities(const AnalysisContext& context,
                                                      std::string& why_not) {
  const Scenario& scenario = context.scenario;
  std::vector<std::size_t> feeders;
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    const auto& targets = scenario.nodes[i].targets;
    if (std::find(targets.begin(), targets.end(), context.index) != targets.end()) {
      feeders.push_back(i);
    }
  }
  const auto* balancer = feeders.size() == 1
                             ? std::get_if<BalancerConfig>(&scenario.nodes[feeders[0]].config)
                             : nullptr;
  if (balancer == nullptr || balancer->policy != BalancerPolicy::consistent_hash) {
    why_not = "it is not fed by a consistent_hash balancer alone";
    return std::nullopt;
  }
  std::optional<KeySpace> keys;
  for (std::size_t up : upstream_nodes(scenario, feeders[0])) {
    const auto* source = std::get_if<SourceConfig>(&scenario.nodes[up].config);
    if (source == nullptr || source->trace || !source->keys ||
        (keys && !keys->same_distribution(*source->keys))) {
      why_not = fmt::format(
          "the requests reaching the balancer {} do not all come from sources "
          "drawing keys from one key space",
          scenario.nodes[feeders[0]].name);
      return std::nullopt;
    }
    keys = source->keys;
  }
  if (!keys || keys->count > HashRing::kExactKeyLimit) {
    why_not = "its key space is too large to sum over key by key";
    return std::nullopt;
  }
  const NodeSpec& ring_spec = scenario.nodes[feeders[0]];
  std::vector<std::string> backends;
  for (std::size_t target : ring_spec.targets) backends.push_back(scenario.nodes[target].name);
  const HashRing ring(backends, balancer->virtual_nodes);
  const auto shard = static_cast<std::size_t>(
      std::find(ring_spec.targets.begin(), ring_spec.targets.end(), context.index) -
      ring_spec.targets.begin());
  const analytic::ZipfPopularity popularity(keys->count, keys->is_uniform() ? 0 : keys->alpha);
  std::vector<double> owned;
  for (std::uint64_t key = 0; key < keys->count; ++key) {
    if (ring.owner(key) == shard) owned.push_back(popularity.probability(key));
  }
  return owned;
}

// A shard's hit ratio where it has an exact form over its own keys: perfect LFU (its C most
// popular keys) and a TTL cache without a capacity fed by Poisson requests (key by key).
void analyse_shard(Analysis& analysis, const CacheConfig& config, const AnalysisContext& context,
                   const std::vector<double>& owned) {
  std::string& detail = analysis.theory.detail;
  double share = 0;
  for (double p : owned) share += p;
  const std::uint64_t c = config.capacity;
  const std::string irm = fmt::format(
      "a shard of a consistent-hash ring: it gets every request for the {} keys it owns "
      "(popularity {}) and no other, each key drawn independently (the independent reference "
      "model over its keys)",
      owned.size(), format_number(share, 4));
  double hits = 0;
  if (config.policy == CachePolicyKind::perfect_lfu && c < owned.size()) {
    for (std::size_t k = 0; k < c; ++k) hits += owned[k];
    analysis.theory.model = "IRM over its keys, perfect LFU = static top-C";
    detail = fmt::format(
        "{}; perfect LFU converges to caching its {} most popular keys: hit "
        "ratio {} (exact in the limit)",
        irm, c, format_number(hits / share, 4));
  } else if (config.policy == CachePolicyKind::ttl && c == 0 && context.input.poisson &&
             context.input.rate > 0) {
    const auto reset =
        config.ttl.reset_on_hit ? analytic::TtlReset::on_hit : analytic::TtlReset::on_miss;
    double entries = 0;
    for (double p : owned) {
      // The shard's stream is lambda share, so key k is requested at lambda p_k.
      const double h =
          analytic::ttl_hit_probability(reset, context.input.rate * p / share, 0, config.ttl.ttl);
      hits += p * h;
      entries += h;
    }
    analysis.theory.model = "IRM over its keys, TTL cache with Poisson requests";
    detail = fmt::format(
        "{}; TTL T = {} s reset on {}, key by key (Fofack, Nain, Neglia & "
        "Towsley 2014): hit ratio {}, expected entries {}",
        irm, format_number(config.ttl.ttl, 6), config.ttl.reset_on_hit ? "every hit" : "a miss",
        format_number(hits / share, 4), format_number(entries, 6));
    analysis.checks.push_back({context.index, "entries", entries});
  } else {
    detail = fmt::format(
        "{}; computed over its keys for perfect_lfu and for ttl without a "
        "capacity only",
        irm);
    return;
  }
  analysis.checks.push_back({context.index, "hit_ratio", hits / share});
}

// The overall hit ratio, when a closed form (exact) or an approximation gives it; it sets the
// rates of the hit and miss streams.
struct HitRatio {
  double value = std::numeric_limits<double>::quiet_NaN();
  bool exact = false;
};

// A cache under the independent reference model: what every policy's analysis starts from.
struct IrmCache {
  const CacheConfig& config;
  const AnalysisContext& context;
  const analytic::ZipfPopularity popularity;
  const std::string irm;  // how its keys are drawn, for the detail
};

HitRatio analyse_perfect_lfu(Analysis& analysis, const IrmCache& cache) {
  const auto& popularity = cache.popularity;
  const std::uint64_t c = cache.config.capacity;
  const Prediction top = predict(popularity, [&](std::uint64_t first, std::uint64_t last) {
    return analytic::top_keys_hit_ratio(popularity, c, first, last);
  });
  analysis.theory.model = "IRM, perfect LFU = static top-C";
  analysis.theory.detail = fmt::format(
      "{}; with counts over the whole history, LFU converges to caching the {} most popular "
      "keys (Aho, Denning & Ullman 1971: optimal without knowledge of the future): {}; exact "
      "in the limit, once the warm-up has separated the counts of keys ranked near C",
      cache.irm, c, describe(top));
  // With uniform keys any C keys are "the top C": only the overall ratio is determined.
  plan(analysis, cache.context.index, top, !cache.config.keys->is_uniform());
  return {top.overall, true};
}

void analyse_in_cache_lfu(Analysis& analysis, const IrmCache& cache) {
  const std::uint64_t c = cache.config.capacity;
  const double best = analytic::top_keys_hit_ratio(cache.popularity, c, 0, cache.popularity.keys());
  analysis.theory.detail = fmt::format(
      "{}; no closed form for in-cache LFU: it forgets a key's count when the key leaves, so "
      "the keys that accumulate counts early stay, and the hit ratio settles below the "
      "optimum {} of caching the top {} keys (perfect_lfu reaches it); not checked",
      cache.irm, format_number(best, 4), c);
}

HitRatio analyse_lru(Analysis& analysis, const IrmCache& cache) {
  const auto& popularity = cache.popularity;
  const std::uint64_t c = cache.config.capacity;
  std::string& detail = analysis.theory.detail;
  const double t = analytic::lru_characteristic_time(popularity, static_cast<double>(c));
  const Prediction che = predict(popularity, [&](std::uint64_t first, std::uint64_t last) {
    return analytic::hit_ratio(popularity, analytic::lru_che(t), first, last);
  });
  analysis.theory.model = "IRM, LRU: Che's approximation";
  detail = fmt::format(
      "{}; Che's approximation (Che, Tung & Wang 2002): characteristic time t_C = {} "
      "requests, {}; ",
      cache.irm, format_number(t, 6), describe(che));
  if (c >= analytic::kCheMinCapacity && popularity.alpha() <= analytic::kCheMaxAlpha) {
    // Checked overall within the approximation's stated error; the bands are shown only,
    // since the stated error bounds the overall ratio.
    detail += fmt::format(
        "an approximation within {}% of exact LRU for caches of {} keys or more and Zipf "
        "exponents up to {}, so the overall hit ratio is checked with that error added to "
        "the tolerance; the bands are shown, not checked",
        format_number(100 * analytic::kCheRelativeError, 2), analytic::kCheMinCapacity,
        format_number(analytic::kCheMaxAlpha, 2));
    PlannedCheck check{cache.context.index, "hit_ratio", che.overall};
    check.approximation_error = analytic::kCheRelativeError * che.overall;
    check.approximation = "Che's approximation";
    analysis.checks.push_back(check);
  } else {
    detail += fmt::format(
        "an approximation whose error is stated only for caches of {} keys or more (below, "
        "it underestimates LRU by up to 4%) and Zipf exponents up to {}: shown but not "
        "checked",
        analytic::kCheMinCapacity, format_number(analytic::kCheMaxAlpha, 2));
  }
  return {che.overall, false};
}

// FIFO and random replacement: exact where the product form's sum is short enough, else the
// characteristic-time approximation.
HitRatio analyse_fifo_random(Analysis& analysis, const IrmCache& cache) {
  using analytic::ZipfPopularity;
  const auto& popularity = cache.popularity;
  const std::uint64_t n = popularity.keys();
  const std::uint64_t c = cache.config.capacity;
  const double t = analytic::fifo_characteristic_time(popularity, static_cast<double>(c));
  const Prediction approximation =
      predict(popularity, [&](std::uint64_t first, std::uint64_t last) {
        return analytic::hit_ratio(popularity, analytic::fifo_approximation(t), first, last);
      });
  const bool small = n <= ZipfPopularity::kExactKeys &&
                     static_cast<double>(n) * static_cast<double>(c) <= kExactFifoWork;
  if (!small) {
    analysis.theory.detail = fmt::format(
        "{}; the characteristic-time approximation (T = {} requests, Dan & Towsley 1990): "
        "{}; an approximation (the exact sum over N * C = {:.3g} terms is too long), shown "
        "but not checked",
        cache.irm, format_number(t, 6), describe(approximation),
        static_cast<double>(n) * static_cast<double>(c));
    return {approximation.overall, false};
  }
  const double hit_ratio = analytic::fifo_random_hit_ratio(popularity, c);
  const std::string& policy = cache_policy_names()[static_cast<std::size_t>(cache.config.policy)];
  analysis.theory.model = fmt::format("IRM, {}: product form", policy);
  analysis.theory.detail = fmt::format(
      "{}; FIFO and random replacement keep a set S of keys with probability proportional "
      "to the product of their popularities (Gelenbe 1973), so hit ratio = 1 - (C+1) "
      "e_(C+1)(p) / e_C(p) = {} exactly; per band only the characteristic-time "
      "approximation (T = {} requests): {}",
      cache.irm, format_number(hit_ratio, 6), format_number(t, 6), describe(approximation));
  analysis.checks.push_back({cache.context.index, "hit_ratio", hit_ratio});
  return {hit_ratio, true};
}

// A TTL cache fed by Poisson requests: key by key, exact without a capacity.
HitRatio analyse_ttl(Analysis& analysis, const IrmCache& cache) {
  const CacheConfig& config = cache.config;
  const Flow& input = cache.context.input;
  const std::size_t node = cache.context.index;
  const std::uint64_t c = config.capacity;
  if (!input.poisson) {
    analysis.theory.detail =
        fmt::format("{}; no closed form for a TTL cache: arrivals are not Poisson ({})", cache.irm,
                    input.why_not);
    return {};
  }
  const auto reset =
      config.ttl.reset_on_hit ? analytic::TtlReset::on_hit : analytic::TtlReset::on_miss;
  const auto model = analytic::ttl_model(reset, input.rate, config.write_rate, config.ttl.ttl);
  const Prediction ttl_prediction =
      predict(cache.popularity, [&](std::uint64_t first, std::uint64_t last) {
        return analytic::hit_ratio(cache.popularity, model, first, last);
      });
  const double entries = analytic::expected_entries(cache.popularity, model);
  const std::string formula =
      config.ttl.reset_on_hit
          ? "h_k = l_k / (l_k + w_k) (1 - exp(-(l_k + w_k) T))"
          : "h_k = l_k m_k / (1 + l_k m_k), m_k = E[min(T, time to the next write)]";
  const std::string how = fmt::format(
      "{}; Poisson requests at {}/s, so key k is requested as a Poisson process at l_k = "
      "lambda p_k{}; TTL T = {} s reset on {}: {} (Fofack, Nain, Neglia & Towsley 2014), "
      "{}; expected entries {} (by PASTA, sum of h_k)",
      cache.irm, format_number(input.rate, 6),
      config.write_rate > 0
          ? fmt::format(" and written at w_k = {} p_k", format_number(config.write_rate, 6))
          : "",
      format_number(config.ttl.ttl, 6), config.ttl.reset_on_hit ? "every hit" : "a miss", formula,
      describe(ttl_prediction), format_number(entries, 6));
  if (c != 0) {
    analysis.theory.detail = fmt::format(
        "{}; these hold without a capacity: with capacity {} they are "
        "shown but not checked",
        how, c);
    return {ttl_prediction.overall, false};
  }
  analysis.theory.model = "IRM, TTL cache with Poisson requests";
  analysis.theory.detail = how;
  plan(analysis, node, ttl_prediction, true);
  analysis.checks.push_back({node, "entries", entries});
  return {ttl_prediction.overall, true};
}

// Keys drawn independently from one popularity: each policy's closed form or approximation, or
// why there is none.
HitRatio analyse_independent_keys(Analysis& analysis, const CacheConfig& config,
                                  const AnalysisContext& context) {
  const KeySpace& keys = *config.keys;
  const IrmCache cache{
      config, context, analytic::ZipfPopularity(keys.count, keys.is_uniform() ? 0 : keys.alpha),
      fmt::format(
          "keys {}, each request's key drawn independently (the independent reference model)",
          keys.describe())};
  const std::uint64_t c = config.capacity;
  const bool ttl = config.policy == CachePolicyKind::ttl;
  if (!ttl && c >= keys.count) {
    analysis.theory.detail = fmt::format(
        "{}; capacity {} holds every key, so only the first request for each "
        "key misses: no steady-state miss stream to predict",
        cache.irm, c);
    return {};
  }
  if (!ttl && config.write_rate > 0) {
    analysis.theory.detail =
        fmt::format("{}; no closed form for policy {} with writes (TTL caches have one)", cache.irm,
                    cache_policy_names()[static_cast<std::size_t>(config.policy)]);
    return {};
  }
  switch (config.policy) {
    case CachePolicyKind::perfect_lfu:
      return analyse_perfect_lfu(analysis, cache);
    case CachePolicyKind::lfu:
      analyse_in_cache_lfu(analysis, cache);
      return {};
    case CachePolicyKind::lru:
      return analyse_lru(analysis, cache);
    case CachePolicyKind::fifo:
    case CachePolicyKind::random:
      return analyse_fifo_random(analysis, cache);
    case CachePolicyKind::ttl:
      break;
  }
  return analyse_ttl(analysis, cache);
}

// The streams of hits and misses, at rates set by the hit ratio.
std::vector<Flow> hit_and_miss_streams(double rate, double hit_ratio, const std::string& name) {
  std::vector<Flow> streams;
  for (const bool hits : {true, false}) {
    Flow flow;
    flow.rate = rate * (hits ? hit_ratio : 1 - hit_ratio);
    flow.poisson = false;
    flow.why_not = fmt::format(
        "the {} of cache {} are not Poisson: whether a request hits depends on the requests "
        "before it",
        hits ? "hits" : "misses", name);
    streams.push_back(flow);
  }
  return streams;
}

}  // namespace

Analysis analyse(const CacheConfig& config, const AnalysisContext& context) {
  const Flow& input = context.input;
  const std::size_t node = context.index;
  Analysis analysis;
  analysis.theory = {context.spec.name, "", ""};
  const bool rate_known = std::isfinite(input.rate) && input.rate > 0;
  if (rate_known) analysis.checks.push_back({node, "throughput", input.rate});

  HitRatio hit_ratio;
  std::string not_a_shard;
  if (!config.not_independent.empty()) {
    if (const auto owned = shard_popularities(context, not_a_shard)) {
      analyse_shard(analysis, config, context, *owned);
    } else {
      analysis.theory.detail = fmt::format(
          "no closed form: the keys reaching it are not independent draws from "
          "one popularity ({})",
          config.not_independent);
    }
  } else if (!config.keys) {
    analysis.theory.detail = "no closed form: no source with keys feeds it";
  } else {
    hit_ratio = analyse_independent_keys(analysis, config, context);
  }

  if (config.hit_latency && hit_ratio.exact && rate_known) {
    // Little's law per hit: hits arrive at lambda h and stay E[D]; W averages over every
    // request, misses counting 0.
    const double mean = config.hit_latency->mean();
    analysis.checks.push_back({node, "L", input.rate * hit_ratio.value * mean});
    analysis.checks.push_back({node, "W", hit_ratio.value * mean});
    analysis.theory.detail += fmt::format(
        "; hits held {} s on average: L = lambda h E[D], W = h E[D]", format_number(mean, 6));
  }
  const double rate = rate_known ? input.rate : std::numeric_limits<double>::quiet_NaN();
  analysis.outputs = hit_and_miss_streams(rate, hit_ratio.value, context.spec.name);
  return analysis;
}

std::optional<std::vector<double>> routing_fractions(const CacheConfig&, const NodeSpec&) {
  return std::nullopt;
}

}  // namespace capsim::models
