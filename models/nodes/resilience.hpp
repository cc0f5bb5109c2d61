#pragma once
// Client-side resilience: node types "retry" (timeouts, retries with backoff and a retry budget)
// and "breaker" (a circuit breaker). Both are calls: a caller arriving at the node waits there
// while a new internal request, the call (an attempt), goes to the service; the call succeeds
// when it reaches a sink of outcome success (the reply is delivered), and fails when it reaches
// an error sink (an error reply), is rejected on the way (a full queue, a dropped request, a
// nested retry node giving up) or is not answered within the timeout. A timed-out call is abandoned, not cancelled: it keeps its place in queues and keeps
// consuming server time (Request::abandoned; its reply, if any, is counted as late and
// discarded), which is what turns retries into a retry storm.
//
// "to" is a list of two or three node names [service, next, on_failure]: where calls go, where a
// caller goes after a successful call, and where it goes when its call finally failed (absent:
// the caller is rejected, so an enclosing retry or breaker node sees a failure, and end to end
// the request counts as rejected). The service's routes must reach a sink and must not lead back
// to the node itself.
//
// Metrics, for the callers: arrivals, completions (callers whose call ended, successfully or
// not), rejections (callers a breaker turned away without a fallback), L (callers waiting), W and
// sojourn.pXX (time a caller spent at the node), in_system.start/end, so that Little's law and
// flow balance hold at the node; successes, failures, goodput (successes/s), success_ratio,
// W_success. For the calls: attempts, offered_load (attempts/s), timeouts, timeout_ratio
// (timeouts/attempts), rejected_attempts (rejected, or ended at an error sink, while their
// caller waited), late_replies (abandoned calls that reached a success sink anyway). Retry nodes add requests (= arrivals), retries,
// budget_exhausted (retries the budget refused); breakers add short_circuited, opens,
// open_fraction and half_open_fraction (of the time).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "models/io/json_input.hpp"
#include "models/nodes/circuit_breaker.hpp"
#include "models/nodes/flow_metrics.hpp"
#include "models/nodes/node.hpp"
#include "models/nodes/retry.hpp"
#include "sim/quantile_histogram.hpp"
#include "sim/rng.hpp"
#include "sim/simulator.hpp"
#include "sim/slot_pool.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

/// A "retry" node. Retries may not loop without bound: "attempts" or "budget" (or both) is
/// required.
struct RetryConfig {
  /// A call not answered within this time (s, > 0) is abandoned and counts as failed; absent:
  /// only rejected calls fail.
  std::optional<double> timeout;
  /// Most calls per caller, the first included (>= 1; 1: no retry). Absent: as many as the
  /// budget allows.
  std::optional<std::int64_t> attempts;
  BackoffConfig backoff;  ///< wait before each retry; absent: retry at once
  /// Retry budget: retries at most this fraction (>= 0) of first attempts over any sliding
  /// window of `budget_window` seconds. Absent: no budget.
  std::optional<double> budget;
  double budget_window = 10;  ///< s (Finagle's default), > 0
};

/// A "breaker" node: a circuit breaker in front of a service.
struct BreakerConfig {
  double failure_ratio = 0.5;  ///< opens when failures / window exceeds it, in [0, 1)
  std::int64_t window = 20;    ///< outcomes in the count-based sliding window, >= 1
  double open_for = 1;         ///< s (> 0) open before turning half-open
  std::int64_t probes = 1;     ///< calls let through when half-open, >= 1
  /// A call not answered within this time (s) counts as failed; absent: only rejections fail.
  std::optional<double> timeout;
};

/// A retry node or a circuit breaker (see the file comment). Its event path allocates nothing
/// once its record pool and the budget's rings have reached their peak sizes.
class CallNode final : public Node {
 public:
  CallNode(Network& network, std::string name, const RetryConfig& config);
  CallNode(Network& network, std::string name, const BreakerConfig& config);

  void accept(RequestId caller) override;
  std::int64_t occupancy() const override { return flow_.held; }
  /// One of this node's calls reached a sink (completed) or was rejected.
  void request_left(RequestId call, bool completed) override;
  void on_event(std::uint32_t kind, std::uint64_t payload) override;
  void reset_statistics() override;
  void collect(Metrics& out) const override;

 private:
  static constexpr RequestId kNoCall = UINT32_MAX;
  // A caller waiting here, with its call in flight or its backoff running.
  struct Record {
    RequestId caller;    // links to the next free record while the record is free
    RequestId call;      // the call in flight, or kNoCall during a backoff
    sim::EventId timer;  // the call's timeout, or the end of the backoff
    double arrived;      // s
    std::uint32_t attempts;
    std::uint32_t epoch;  // the breaker's epoch when the call was let through
  };

  CallNode(Network& network, std::string name, std::optional<double> timeout);
  void send_call(std::uint32_t record);
  void call_failed(std::uint32_t record);
  void finish(std::uint32_t record, bool success);
  void short_circuit(RequestId caller);
  void record_outcome(std::uint32_t epoch, bool success);
  void breaker_changed();
  Node* on_failure() const { return targets().size() > 2 ? targets()[2] : nullptr; }

  // Policies: a retry node has a backoff (and maybe a budget), a breaker has a breaker.
  std::optional<double> timeout_;
  std::uint32_t max_attempts_ = 1;
  std::optional<Backoff> backoff_;
  std::optional<RetryBudget> budget_;
  std::optional<CircuitBreaker> breaker_;
  double open_for_ = 0;
  sim::Rng rng_;  // backoff jitter

  sim::SlotPool<Record, &Record::caller> records_;

  FlowCounts flow_;  // of callers; held: callers waiting
  std::uint64_t successes_ = 0;
  std::uint64_t failures_ = 0;
  std::uint64_t attempts_ = 0;
  std::uint64_t retries_ = 0;
  std::uint64_t timeouts_ = 0;
  std::uint64_t rejected_attempts_ = 0;
  std::uint64_t late_replies_ = 0;
  std::uint64_t budget_exhausted_ = 0;
  std::uint64_t short_circuited_ = 0;
  std::uint64_t opens_ = 0;
  sim::TimeAverage number_waiting_;
  sim::TimeAverage open_;       // 1 while the breaker is open
  sim::TimeAverage half_open_;  // 1 while it is half-open
  Latencies sojourns_;
  sim::Tally success_sojourn_;
};

/// Reads a "retry" node's own keys (timeout, attempts, backoff, budget, budget_window) and checks
/// that "to" has two or three names; the loader reads "to".
RetryConfig read_retry(const Json& node, const Where& where);
/// Reads a "breaker" node's own keys (failure_ratio, window, open_for, probes, timeout).
BreakerConfig read_breaker(const Json& node, const Where& where);
/// Reads a backoff object {"kind": "fixed" | "exponential", "base": s, "max": s, "jitter":
/// "none" | "full" | "equal"}.
BackoffConfig read_backoff(const Json& value, const Where& where);

std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const RetryConfig& config);
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const BreakerConfig& config);

}  // namespace capsim::models
