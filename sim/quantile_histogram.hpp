#pragma once
// Bounded-memory streaming quantiles with a guaranteed relative error.

#include <bit>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace capsim::sim {

/// Log-linear histogram of non-negative values: each power-of-two octave is split into
/// 128 equal buckets, taken straight from the bits of the double (no log() per observation).
/// A bucket spans at most 1/128 of its lower edge and reports its midpoint, so every quantile
/// is within kRelativeError (0.39%) of an observed value of the right rank. Zeros are counted
/// exactly. Memory is bounded: at most 128 buckets of 4 bytes per octave spanned by the data
/// (about 5 KB for values between 1 microsecond and 1 hour).
class QuantileHistogram final {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr double kRelativeError = 1.0 / (1 << (kSubBucketBits + 1));

  void add(double x) {
    // Branches, not conditional moves: a new extreme is rare, so they predict well and the
    // common case stores only the bucket.
    if (x < min_) [[unlikely]] min_ = x;
    if (x > max_) [[unlikely]] max_ = x;
    if (!(x > 0)) {
      ++zeros_;
      return;
    }
    // Below first_ the unsigned offset wraps around, so one compare tests both ends.
    std::uint64_t offset = bucket_of(x) - first_;
    if (offset >= counts_.size()) [[unlikely]] {
      grow_to(bucket_of(x));
      offset = bucket_of(x) - first_;
    }
    if (++counts_[offset] == 0) [[unlikely]] carry(first_ + offset, 1);
  }

  /// Adds every observation of `other`, as if they had been added here.
  void merge(const QuantileHistogram& other);

  /// Forgets all observations, keeping the allocated buckets.
  void reset();

  /// Number of observations (counted over the buckets: add() does not keep a total).
  std::uint64_t count() const;

  /// The q-quantile (0 <= q <= 1): the smallest observed x with F(x) >= q, within
  /// kRelativeError. NaN when empty.
  double quantile(double q) const;

 private:
  static constexpr int kShift = 52 - kSubBucketBits;
  // For positive doubles the bit pattern is monotone in the value: exponent, then mantissa.
  static std::uint64_t bucket_of(double x) { return std::bit_cast<std::uint64_t>(x) >> kShift; }
  void grow_to(std::uint64_t index);
  // Adds amount * 2^32 to bucket `index`. Buckets keep 32 bits, half the memory of a network of
  // many stations; the rare bucket that passes 2^32 keeps its high part in carries_.
  void carry(std::uint64_t index, std::uint64_t amount);
  // Observations in counts_[position].
  std::uint64_t bucket(std::size_t position) const;

  std::uint64_t zeros_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
  std::uint64_t first_ = 0;  // bucket index of counts_[0]
  std::vector<std::uint32_t> counts_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> carries_;  // (bucket index, high part)
};

}  // namespace capsim::sim
