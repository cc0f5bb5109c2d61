#pragma once
// A consistent-hash ring (Karger et al., STOC 1997): each backend places virtual nodes at
// pseudo-random points of the 64-bit circle, and a key belongs to the first point at or after
// its own hash, going clockwise. Removing a backend moves only the keys it owned.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace capsim::models {

class HashRing final {
 public:
  /// Up to this many keys, key_shares() counts every key; above, it uses the arc lengths.
  static constexpr std::uint64_t kExactKeyLimit = 1'000'000;

  /// Places `virtual_nodes` (>= 1) points for each backend (non-empty list). The points depend
  /// only on each backend's name, never on its position in the list or on the other backends.
  HashRing(const std::vector<std::string>& backends, int virtual_nodes);

  std::size_t backend_count() const { return backend_count_; }
  std::size_t point_count() const { return points_.size(); }

  /// Index (into the constructor's list) of the backend that owns `key`: O(log V) over the
  /// V = backends x virtual_nodes points.
  std::size_t owner(std::uint64_t key) const;

  /// Fraction of the circle each backend owns (the arcs ending at its points); sums to 1.
  /// The share of keys a backend gets as the number of uniformly random keys grows.
  std::vector<double> arc_shares() const;
  /// Fraction of the keys 0 .. key_count-1 each backend owns: counted key by key when
  /// key_count <= kExactKeyLimit (so it is exact), else the arc shares, which then differ from
  /// the exact fraction by about sqrt(p (1 - p) / key_count) < 5e-4.
  std::vector<double> key_shares(std::uint64_t key_count) const;

  /// Where a key sits on the circle: the SplitMix64 finalizer (Steele, Lea & Flood, OOPSLA
  /// 2014), a bijection of the 64-bit words whose output bits each depend on every input bit,
  /// so consecutive key numbers land far apart.
  static std::uint64_t key_point(std::uint64_t key);
  /// Where virtual node `replica` of a backend sits: the same finalizer applied to the FNV-1a
  /// hash of "<backend>#<replica>".
  static std::uint64_t virtual_node_point(std::string_view backend, int replica);

 private:
  std::size_t backend_count_;
  std::vector<std::uint64_t> points_;  // ascending
  std::vector<std::uint32_t> owners_;  // owners_[j] owns the arc (points_[j-1], points_[j]]
};

}  // namespace capsim::models
