#pragma once
// Random streams: xoshiro256++ seeded through SplitMix64, with substreams derived from names.

#include <cstdint>
#include <string_view>

namespace capsim::sim {

/// SplitMix64 step: advances `state` and returns the next output. Used to expand seeds.
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// 64-bit FNV-1a hash of a name; stable across platforms and standard libraries.
constexpr std::uint64_t hash_name(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

/// xoshiro256++ (Blackman & Vigna, 2019): the one generator capsim uses, identical on every
/// platform.
class Rng final {
 public:
  /// Seeds the 256-bit state from one 64-bit value through SplitMix64 (never all zero).
  explicit Rng(std::uint64_t seed) {
    for (auto& word : state_) word = splitmix64(seed);
  }

  /// The substream of one component in one replication. Streams depend only on
  /// (seed, replication, name), so adding a component changes no other component's draws.
  static Rng stream(std::uint64_t seed, std::uint64_t replication, std::string_view name) {
    std::uint64_t mix = seed;
    std::uint64_t key = splitmix64(mix) ^ replication;
    key = splitmix64(key) ^ hash_name(name);
    return Rng(splitmix64(key));
  }

  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(state_[0] + state_[3], 23) + state_[0];
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// Uniform on the open interval (0, 1) with 52 random bits: safe to pass to log().
  double uniform_open() { return to_unit_open(next_u64()); }

  /// Maps 64 random bits to the midpoint grid (k + 1/2) 2^-52, k = bits >> 12, which spans
  /// [2^-53, 1 - 2^-53]. 52 bits, not 53: k + 1/2 must fit a double's 53-bit significand, or
  /// it rounds (ties to even) and the largest k would give exactly 1.
  static constexpr double to_unit_open(std::uint64_t bits) {
    return (static_cast<double>(bits >> 12) + 0.5) * 0x1.0p-52;
  }

  /// Uniform integer in [0, n) without modulo bias (Lemire's multiply-shift with rejection).
  std::uint64_t below(std::uint64_t n) {
    U128 m = static_cast<U128>(next_u64()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<U128>(next_u64()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

 private:
  // GCC/Clang extension; __extension__ keeps -Wpedantic quiet about it.
  __extension__ using U128 = unsigned __int128;
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

}  // namespace capsim::sim
