#include "sim/quantile_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace capsim::sim {

namespace {
// Grow in steps of an octave so a drifting range does not reallocate on every new bucket.
constexpr std::uint64_t kGrowthSlack = std::uint64_t{1} << QuantileHistogram::kSubBucketBits;
// Downwards four octaves: the smallest of n observations keeps falling (as 1/n for a density
// that is positive at 0), the largest grows slowly (as log n for exponential tails).
constexpr std::uint64_t kGrowthSlackBelow = 4 * kGrowthSlack;
}  // namespace

void QuantileHistogram::grow_to(std::uint64_t index) {
  if (counts_.empty()) {
    first_ = index > kGrowthSlack ? index - kGrowthSlack : 0;
    counts_.assign(2 * kGrowthSlack, 0);
    return;
  }
  // A new vector of exactly the new size: growing in place (insert, resize) may double the
  // capacity, and a network of many stations holds thousands of histograms.
  const std::uint64_t new_first =
      index >= first_ ? first_ : (index > kGrowthSlackBelow ? index - kGrowthSlackBelow : 0);
  const std::uint64_t new_end =
      std::max(first_ + counts_.size(), index >= first_ ? index + 1 + kGrowthSlack : 0);
  std::vector<std::uint32_t> grown(new_end - new_first, 0);
  std::copy(counts_.begin(), counts_.end(),
            grown.begin() + static_cast<std::ptrdiff_t>(first_ - new_first));
  counts_.swap(grown);
  first_ = new_first;
}

void QuantileHistogram::merge(const QuantileHistogram& other) {
  zeros_ += other.zeros_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  for (std::size_t i = 0; i < other.counts_.size(); ++i) {
    const std::uint64_t amount = other.bucket(i);
    if (amount == 0) continue;
    const std::uint64_t index = other.first_ + i;
    if (index < first_ || index >= first_ + counts_.size()) grow_to(index);
    std::uint32_t& low = counts_[index - first_];
    const std::uint64_t sum = low + amount;
    low = static_cast<std::uint32_t>(sum);
    if (sum >> 32 != 0) carry(index, sum >> 32);
  }
}

void QuantileHistogram::carry(std::uint64_t index, std::uint64_t amount) {
  for (auto& [bucket, high] : carries_) {
    if (bucket == index) {
      high += amount;
      return;
    }
  }
  carries_.emplace_back(index, amount);
}

std::uint64_t QuantileHistogram::bucket(std::size_t position) const {
  std::uint64_t total = counts_[position];
  for (const auto& [index, high] : carries_) {
    if (index == first_ + position) total += high << 32;
  }
  return total;
}

void QuantileHistogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  carries_.clear();
  zeros_ = 0;
  min_ = std::numeric_limits<double>::infinity();
  max_ = -std::numeric_limits<double>::infinity();
}

std::uint64_t QuantileHistogram::count() const {
  std::uint64_t total = zeros_;
  for (std::uint32_t low : counts_) total += low;
  for (const auto& [index, high] : carries_) total += high << 32;
  return total;
}

double QuantileHistogram::quantile(double q) const {
  const std::uint64_t total = count();
  if (total == 0) return std::numeric_limits<double>::quiet_NaN();
  const auto n = static_cast<double>(total);
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * n)));
  if (rank <= zeros_) return 0.0;
  std::uint64_t seen = zeros_;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += bucket(i);
    if (seen >= rank) {
      const std::uint64_t index = first_ + i;
      const double low = std::bit_cast<double>(index << kShift);
      const double high = std::bit_cast<double>((index + 1) << kShift);
      // The extremes are known exactly; clamping keeps p0 and p100 exact.
      return std::clamp(0.5 * (low + high), min_, max_);
    }
  }
  return max_;
}

}  // namespace capsim::sim
