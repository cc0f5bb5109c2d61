#pragma once
// The metrics that several node types report alike, written in one place so that they are named,
// computed and ordered the same way everywhere.

#include <cstdint>
#include <optional>

#include "models/nodes/node.hpp"
#include "sim/quantile_histogram.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

/// What a node counts of the requests through it: since the measurement window opened, and
/// held now.
struct FlowCounts {
  std::uint64_t arrivals = 0;
  std::uint64_t completions = 0;  ///< requests passed on
  std::uint64_t rejections = 0;
  std::int64_t held = 0;           ///< requests in the node now
  std::int64_t held_at_start = 0;  ///< when the window opened

  /// The window opens now: the counts restart, the requests held stay.
  void reset() {
    arrivals = completions = rejections = 0;
    held_at_start = held;
  }
};

/// Where a node's flow metrics differ from the others'.
struct FlowReport {
  /// A rate limiter's admissions (see add_flow_metrics); absent for other nodes.
  std::optional<std::uint64_t> admitted = std::nullopt;
  /// False for a node that cannot reject: it reports 0 rejections and no rejection_ratio.
  bool can_reject = true;
  /// Closed-loop clients: a rejection is a reply too and ends a user's cycle, so throughput
  /// counts completions and rejections.
  bool rejections_are_replies = false;
};

/// Adds arrivals, completions, rejections, in_system.start, in_system.end, arrival_rate,
/// throughput and rejection_ratio, over a window of `window` s. With admissions (a rate
/// limiter) they come in the order a request meets them: arrivals, admitted, rejections,
/// completions; and admitted_rate after arrival_rate.
void add_flow_metrics(Metrics& out, const FlowCounts& flow, double window,
                      const FlowReport& report = {});

/// Durations of one kind (waits, sojourns) measured in the window: their mean, and their
/// histogram for the percentiles. Inline: nodes add one per request.
struct Latencies {
  sim::Tally tally;
  sim::QuantileHistogram histogram;

  void add(double duration) {
    tally.add(duration);
    histogram.add(duration);
  }
  void merge(const Latencies& other) {
    tally.merge(other.tally);
    histogram.merge(other.histogram);
  }
  void reset() {
    tally.reset();
    histogram.reset();
  }
};

/// Adds L (requests held, time average), W (their mean sojourn) and the sojourn percentiles.
void add_sojourn_metrics(Metrics& out, double mean_held, const Latencies& sojourns);

/// What a queue in front of servers measured: a station, or the queue of a leaky bucket.
struct QueueMeasures {
  double utilization;     ///< fraction of the servers' time busy
  double mean_held;       ///< L: queued or in service
  double mean_queued;     ///< Lq
  std::uint64_t started;  ///< services started
  std::uint64_t waited;   ///< of those, after a wait
  const Latencies& waits;
  const Latencies& sojourns;
};

/// Adds utilization, L, Lq, W, Wq, p_wait (waited / started) and the wait and sojourn
/// percentiles.
void add_queue_metrics(Metrics& out, const QueueMeasures& queue);

}  // namespace capsim::models
