#pragma once
// Request keys: which item a request asks for (consistent hashing, caches).

#include <cstdint>

#include "models/json_input.hpp"
#include "sim/rng.hpp"

namespace capsim::models {

/// A popularity model over `count` keys numbered 0 .. count-1.
struct KeySpace {
  std::uint64_t count = 1;  ///< number of distinct keys, >= 1

  /// Draws a key; every key equally likely.
  std::uint64_t sample(sim::Rng& rng) const { return rng.below(count); }
};

/// Reads {"count": N}.
KeySpace read_key_space(const Json& value, const Where& where);

}  // namespace capsim::models
