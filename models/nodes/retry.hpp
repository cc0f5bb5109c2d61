#pragma once
// The two policies of a retry node, independent of the simulator: how long to wait before a
// retry (backoff with jitter) and whether a retry is allowed at all (a retry budget).

#include <cstdint>
#include <limits>

#include "sim/ring_queue.hpp"
#include "sim/rng.hpp"

namespace capsim::models {

enum class BackoffKind : std::uint8_t {
  fixed,        ///< every retry waits `base`
  exponential,  ///< retry k (k = 1, 2, ...) waits min(max, base 2^(k-1))
};

/// Randomization of the wait, as defined in "Exponential Backoff And Jitter" (M. Brooker, AWS
/// Architecture Blog, 2015), with w the un-jittered wait.
enum class Jitter : std::uint8_t {
  none,   ///< w
  full,   ///< uniform on (0, w)
  equal,  ///< w/2 + uniform on (0, w/2)
};

struct BackoffConfig {
  BackoffKind kind = BackoffKind::fixed;
  double base = 0;  ///< s, >= 0; 0 with kind fixed: retry at once
  double max = std::numeric_limits<double>::infinity();  ///< cap on the un-jittered wait, s
  Jitter jitter = Jitter::none;
};

/// The wait before a retry.
class Backoff final {
 public:
  explicit Backoff(const BackoffConfig& config) : config_(config) {}
  /// The un-jittered wait before retry number `retry` (1 for the first retry), s.
  double ceiling(std::uint32_t retry) const;
  /// The wait before retry number `retry`, s: draws from `rng` only when jittered.
  double delay(std::uint32_t retry, sim::Rng& rng) const;

 private:
  BackoffConfig config_;
};

/// A retry budget: over any sliding window of `window` seconds, retries may not exceed `ratio`
/// times the first attempts (as Finagle's RetryBudget and gRPC's retry throttling bound the load
/// retries add). A retry is allowed at time t when retries + 1 <= ratio * first attempts, both
/// counted over (t - window, t]; it then counts at t. Memory grows with the attempts in one
/// window, then stays (ring buffers); each decision is O(1) amortized.
class RetryBudget final {
 public:
  RetryBudget(double ratio, double window) : ratio_(ratio), window_(window) {}
  /// A first attempt is sent at `now`.
  void first_attempt(double now) { firsts_.push_back(now); }
  /// Whether a retry may be sent at `now`; if so it is counted.
  bool try_retry(double now);

 private:
  static void expire(sim::RingQueue<double>& times, double before);
  double ratio_;
  double window_;
  sim::RingQueue<double> firsts_;   // send times of first attempts in the window
  sim::RingQueue<double> retries_;  // send times of retries in the window
};

}  // namespace capsim::models
