#pragma once
// A rate limiter: admits or rejects each request by a rate-limiting algorithm. Admitted requests
// go on to the first node of "to"; rejected ones to the second (an error sink, a retry path), or,
// when "to" names one node only, leave the system as rejections.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/io/json_input.hpp"
#include "models/nodes/flow_metrics.hpp"
#include "models/nodes/node.hpp"
#include "sim/quantile_histogram.hpp"
#include "sim/ring_queue.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

/// The rate-limiting algorithms. All decide in O(1) per request and allocate nothing per request.
enum class LimiterAlgorithm : std::uint8_t {
  /// At most `limit` admissions in each window [k T, (k + 1) T), windows aligned at t = 0.
  fixed_window,
  /// At most `limit` admissions in any interval (t - T, t]: a ring of the last `limit`
  /// admission times; a request is admitted when the oldest of them is at least T old.
  sliding_window_log,
  /// Cloudflare's approximation of a sliding window from two fixed windows: a request at a
  /// fraction f of the current window is admitted when
  /// previous_count (1 - f) + current_count < limit (counts of admitted requests; the previous
  /// window counts only if it is the one just before).
  sliding_window_counter,
  /// A bucket of at most `burst` tokens, full at t = 0, gaining one token at every t = k / rate
  /// (k = 1, 2, ...; a token finding the bucket full is lost); a request takes a token or is
  /// rejected.
  token_bucket,
  /// The generic cell rate algorithm's leaky bucket: a level that leaks one unit at every
  /// t = k / rate (never below 0); a request conforms when level + 1 <= burst and then adds 1.
  /// level = burst - tokens of the token bucket above at all times, so both admit exactly the
  /// same requests (the tests check it request by request).
  leaky_bucket_meter,
  /// A queue drained at a constant rate: admitted requests wait in FIFO order and leave one at
  /// a time, each 1 / rate after the previous departure or after it reached an idle bucket (a
  /// single server with deterministic service 1 / rate); at most `queue` wait besides the one
  /// leaving, and arrivals finding the bucket full are rejected: M/D/1/K with K = queue + 1.
  leaky_bucket_queue,
};

/// The algorithm names of the scenario format, indexed by LimiterAlgorithm.
const std::vector<std::string>& limiter_algorithm_names();

/// A "limiter" node. Only the parameters of its algorithm are read; the others keep defaults.
struct LimiterConfig {
  LimiterAlgorithm algorithm = LimiterAlgorithm::token_bucket;
  std::int64_t limit = 1;  ///< windows: most admissions per window, >= 1
  double window = 1;       ///< windows: length T, s, > 0
  double rate = 1;         ///< buckets: tokens, leaks or departures per second, > 0
  std::int64_t burst = 1;  ///< token bucket and meter: bucket size b, >= 1
  std::int64_t queue = 0;  ///< leaky_bucket_queue: most requests waiting, >= 0
};

/// Boundaries (window edges, token and leak instants) are widened by this fraction of a window
/// or of a tick, so that a request arriving on a boundary written as an exact multiple (a
/// deterministic source at the token rate) sees it although rounding of the clock may put the
/// request a few ulps early.
inline constexpr double kLimiterBoundarySlack = 1e-9;

/// The decision of the metering algorithms (all but leaky_bucket_queue, which holds requests):
/// O(1) per request, no allocation after construction (the sliding log's ring of `limit` times
/// is allocated once).
class AdmissionMeter final {
 public:
  explicit AdmissionMeter(const LimiterConfig& config);

  /// Whether a request arriving at `now` (s, never decreasing between calls) is admitted; an
  /// admitted request is counted against the limit (takes a token, fills the bucket).
  bool admit(double now);

 private:
  bool admit_fixed_window(double now);
  bool admit_sliding_log(double now);
  bool admit_sliding_counter(double now);
  bool admit_token_bucket(double now);
  bool admit_leaky_meter(double now);
  double window_index(double now) const;  // a whole number, kept in a double: no overflow
  double ticks_until(double now) const;   // token or leak instants in (0, now]

  LimiterConfig config_;
  double current_window_ = 0;        // fixed window and counter: index of the current window
  std::int64_t current_count_ = 0;   // admissions in the current window
  std::int64_t previous_count_ = 0;  // counter: admissions in the window just before
  std::vector<double> admitted_at_;  // sliding log: the last `limit` admission times (a ring)
  std::size_t oldest_ = 0;           // sliding log: slot of the oldest, once the ring is full
  std::int64_t level_ = 0;           // tokens (token bucket) or level (leaky meter)
  double ticks_seen_ = 0;            // token or leak instants already applied
};

/// Metrics of every algorithm: arrivals, admitted, rejections, completions (requests that left
/// admitted: passed on at once, or drained from the queue), in_system.start and in_system.end
/// (requests held, 0 except for the queue), arrival_rate, admitted_rate (admitted/s),
/// throughput (completions/s), rejection_ratio (rejections / arrivals).
/// leaky_bucket_queue also reports utilization (fraction of time a request is leaving), L, Lq,
/// W, Wq, p_wait and the wait and sojourn percentiles, as a station does.
/// Rejected requests count as rejections here, whatever happens to them next: routed to a
/// second target they may well complete end to end (at an error sink).
class RateLimiter final : public Node {
 public:
  RateLimiter(Network& network, std::string name, const LimiterConfig& config);

  void accept(RequestId id) override;
  std::int64_t occupancy() const override { return flow_.held; }
  void reset_statistics() override;
  void collect(Metrics& out) const override;
  void on_event(std::uint32_t kind, std::uint64_t payload) override;

 private:
  void admit(RequestId id);
  void reject(RequestId id);
  void enqueue(RequestId id, double now);
  void start_leaving(RequestId id, double now);

  LimiterConfig config_;
  std::optional<AdmissionMeter> meter_;  // every algorithm but leaky_bucket_queue

  // leaky_bucket_queue: FIFO, the head leaving (in "service") while `leaving_` is set.
  std::int64_t capacity_ = 0;  // queue + 1
  double leave_interval_ = 0;  // 1 / rate, s
  bool leaving_ = false;
  sim::RingQueue<RequestId> waiting_;

  FlowCounts flow_;  // held: requests in the queue (always 0 for the other algorithms)
  std::uint64_t admitted_ = 0;
  std::uint64_t departures_started_ = 0;
  std::uint64_t waited_ = 0;
  sim::TimeAverage number_in_node_;
  sim::TimeAverage number_waiting_;
  sim::TimeAverage busy_;
  Latencies waits_;
  Latencies sojourns_;
};

/// Reads a "limiter" node's own keys: "algorithm", then "limit" and "window" (windows), "rate"
/// and "burst" (token bucket, leaky meter) or "rate" and "queue" (leaky queue); a key of another
/// algorithm is an error. "to" (read by the loader) must list one or two nodes.
LimiterConfig read_limiter(const Json& node, const Where& where);
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const LimiterConfig& config);

}  // namespace capsim::models
