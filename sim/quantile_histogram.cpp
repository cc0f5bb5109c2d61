#include "sim/quantile_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace capsim::sim {

namespace {
// Grow in steps of an octave so a drifting range does not reallocate on every new bucket.
constexpr std::uint64_t kGrowthSlack = std::uint64_t{1} << QuantileHistogram::kSubBucketBits;
}  // namespace

void QuantileHistogram::grow_to(std::uint64_t index) {
  if (counts_.empty()) {
    first_ = index > kGrowthSlack ? index - kGrowthSlack : 0;
    counts_.assign(2 * kGrowthSlack, 0);
    return;
  }
  if (index < first_) {
    const std::uint64_t new_first = index > kGrowthSlack ? index - kGrowthSlack : 0;
    counts_.insert(counts_.begin(), first_ - new_first, 0);
    first_ = new_first;
  } else {
    counts_.resize(index - first_ + 1 + kGrowthSlack, 0);
  }
}

void QuantileHistogram::merge(const QuantileHistogram& other) {
  zeros_ += other.zeros_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  for (std::size_t i = 0; i < other.counts_.size(); ++i) {
    if (other.counts_[i] == 0) continue;
    const std::uint64_t index = other.first_ + i;
    if (index < first_ || index >= first_ + counts_.size()) grow_to(index);
    counts_[index - first_] += other.counts_[i];
  }
}

void QuantileHistogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  zeros_ = 0;
  min_ = std::numeric_limits<double>::infinity();
  max_ = -std::numeric_limits<double>::infinity();
}

std::uint64_t QuantileHistogram::count() const {
  std::uint64_t total = zeros_;
  for (std::uint64_t bucket : counts_) total += bucket;
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
    seen += counts_[i];
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
