#pragma once
// Request keys: which item a request asks for (consistent hashing, caches), and how popular
// each key is.

#include <cstdint>
#include <string>
#include <vector>

#include "models/io/json_input.hpp"
#include "sim/rng.hpp"
#include "sim/zipf.hpp"

namespace capsim::models {

/// How requests spread over the keys.
enum class Popularity : std::uint8_t {
  uniform,  ///< every key equally likely
  zipf,     ///< key k with probability proportional to 1 / (k + 1)^alpha: key 0 the most popular
};

/// The popularity names of the scenario format, indexed by Popularity.
const std::vector<std::string>& popularity_names();

/// A popularity model over `count` keys numbered 0 .. count-1. Every request's key is drawn
/// independently (the independent reference model), from the source's stream "<source>#keys".
struct KeySpace {
  std::uint64_t count = 1;  ///< number of distinct keys, >= 1
  Popularity popularity = Popularity::uniform;
  double alpha = 0;  ///< Zipf exponent, >= 0 (zipf only; 0 is uniform)

  /// Draws a key. Uniform keys (and Zipf with alpha = 0) draw exactly as they always have; Zipf
  /// keys by rejection-inversion in O(1) time and memory, whatever the count.
  std::uint64_t sample(sim::Rng& rng) const { return sampler_.sample(rng); }

  /// True when every key is equally likely (uniform, or Zipf with alpha = 0).
  bool is_uniform() const { return popularity == Popularity::uniform || alpha == 0; }
  /// Same keys with the same probabilities.
  bool same_distribution(const KeySpace& other) const;
  /// "Zipf(0.8) over 1000000 keys", "uniform over 1000 keys".
  std::string describe() const;

  /// The sampler matching count, popularity and alpha (read_key_space sets it; call after
  /// changing them).
  void update_sampler() { sampler_ = sim::ZipfSampler(count, is_uniform() ? 0 : alpha); }

 private:
  sim::ZipfSampler sampler_{1, 0};
};

/// Reads {"count": N} or {"count": N, "popularity": "uniform" | "zipf", "alpha": a} (alpha,
/// required with zipf and only there, in [0, 100]).
KeySpace read_key_space(const Json& value, const Where& where);

}  // namespace capsim::models
