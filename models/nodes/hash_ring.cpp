#include "models/nodes/hash_ring.hpp"

#include <algorithm>
#include <cassert>
#include <string>

#include "sim/rng.hpp"

namespace capsim::models {

std::uint64_t HashRing::key_point(std::uint64_t key) {
  std::uint64_t state = key;
  return sim::splitmix64(state);
}

std::uint64_t HashRing::virtual_node_point(std::string_view backend, int replica) {
  std::string label(backend);
  label += '#';
  label += std::to_string(replica);
  // FNV-1a alone leaves names that differ in their last characters close together in the
  // high bits; the finalizer spreads them over the whole circle.
  return key_point(sim::hash_name(label));
}

HashRing::HashRing(const std::vector<std::string>& backends, int virtual_nodes)
    : backend_count_(backends.size()) {
  assert(!backends.empty() && virtual_nodes >= 1);
  struct Point {
    std::uint64_t at;
    std::uint32_t owner;
  };
  std::vector<Point> points;
  points.reserve(backends.size() * static_cast<std::size_t>(virtual_nodes));
  for (std::size_t b = 0; b < backends.size(); ++b) {
    for (int replica = 0; replica < virtual_nodes; ++replica) {
      points.push_back({virtual_node_point(backends[b], replica), static_cast<std::uint32_t>(b)});
    }
  }
  // Two points at the same place (chance about V^2 / 2^65) are ordered by backend name, so the
  // order of "to" never changes which backend owns a key.
  std::sort(points.begin(), points.end(), [&](const Point& a, const Point& b) {
    return a.at < b.at || (a.at == b.at && backends[a.owner] < backends[b.owner]);
  });
  for (const Point& point : points) {
    points_.push_back(point.at);
    owners_.push_back(point.owner);
  }
}

std::size_t HashRing::owner(std::uint64_t key) const {
  const auto it = std::lower_bound(points_.begin(), points_.end(), key_point(key));
  // Past the last point the circle wraps around to the first.
  return owners_[it == points_.end() ? 0 : static_cast<std::size_t>(it - points_.begin())];
}

std::vector<double> HashRing::arc_shares() const {
  std::vector<double> shares(backend_count_, 0.0);
  for (std::size_t j = 0; j < points_.size(); ++j) {
    // Unsigned subtraction wraps modulo 2^64: the first arc runs from the last point round
    // to the first, and a single point owns the whole circle (arc 0 read as 2^64).
    const std::uint64_t previous = points_[j == 0 ? points_.size() - 1 : j - 1];
    const std::uint64_t arc = points_[j] - previous;
    shares[owners_[j]] += points_.size() == 1 ? 1.0 : static_cast<double>(arc) * 0x1.0p-64;
  }
  return shares;
}

std::vector<double> HashRing::key_shares(std::uint64_t key_count) const {
  if (key_count > kExactKeyLimit) return arc_shares();
  std::vector<std::uint64_t> owned(backend_count_, 0);
  for (std::uint64_t key = 0; key < key_count; ++key) ++owned[owner(key)];
  std::vector<double> shares(backend_count_);
  for (std::size_t b = 0; b < backend_count_; ++b) {
    shares[b] = static_cast<double>(owned[b]) / static_cast<double>(key_count);
  }
  return shares;
}

}  // namespace capsim::models
