#pragma once
// Server failures and repairs at a station (its "failures" key). Each server alternates between
// up, for a time_to_failure, and down, for a time_to_repair, whatever its load (time-based
// failures: an idle server fails too); a down server serves nothing. When a busy server fails,
// the request it was serving is either requeued at the head of the queue, to start a fresh
// service (a new draw) on the next free server, or dropped (rejected).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/io/json_input.hpp"
#include "models/nodes/node.hpp"
#include "models/nodes/request.hpp"
#include "sim/distribution.hpp"
#include "sim/ring_queue.hpp"
#include "sim/rng.hpp"
#include "sim/simulator.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

struct StationConfig;

/// What happens to the request a server was serving when it fails.
enum class LostRequest : std::uint8_t {
  requeue,  ///< back to the head of the queue, ahead of every waiting request; served again anew
  drop,     ///< rejected: it leaves the system without completing
};

struct FailureConfig {
  sim::Distribution time_to_failure = sim::Distribution::exponential(1.0);  ///< up time, s (MTTF)
  sim::Distribution time_to_repair = sim::Distribution::exponential(1.0);   ///< down time, s (MTTR)
  LostRequest lost = LostRequest::requeue;
};

/// Reads a station's "failures" object: {"time_to_failure": distribution, "time_to_repair":
/// distribution, "lost": "requeue" (default) | "drop"}; `where` points at it.
FailureConfig read_failures(const Json& value, const Where& where);

/// Availability of an alternating renewal process, MTTF / (MTTF + MTTR): the long-run fraction
/// of time a server is up, whatever the two distributions (renewal-reward theorem; e.g. Ross,
/// "Introduction to Probability Models", section 7.5).
double availability(const FailureConfig& config);

/// The up/down state of a station's servers, the requests interrupted by failures, and what is
/// measured about them. The station owns one when its servers can fail; it keeps idle servers in
/// a FIFO ring, so a server failing while idle is left there, marked down, and skipped when it
/// reaches the front (O(1)).
class ServerFailures final {
 public:
  ServerFailures(sim::Rng rng, const FailureConfig& config, std::size_t servers);

  /// Draws a server's next up time (s).
  double draw_up_time() { return config_.time_to_failure.sample(rng_); }
  /// Draws a server's next down time (s).
  double draw_down_time() { return config_.time_to_repair.sample(rng_); }
  LostRequest lost() const { return config_.lost; }

  /// Idle-ring entries of servers that are down: the ring holds this many unusable servers.
  std::size_t down_in_idle_ring() const { return down_in_idle_ring_; }
  /// A server was taken from the front of the idle ring; true if it is down (skip it).
  bool taken_from_idle_ring(std::uint32_t server);
  /// A server started serving `id`; `done` is its service-done event (cancelled if it fails).
  void service_started(std::uint32_t server, RequestId id, sim::EventId done) {
    servers_[server].serving = id;
    servers_[server].service_done = done;
  }
  /// A server finished its service and went back to the idle ring.
  void service_ended(std::uint32_t server) {
    servers_[server].serving = kNoRequest;
    servers_[server].in_idle_ring = true;
  }

  /// A server fails at `now`. Returns the request it was serving (its service-done event must be
  /// cancelled: `service_done(server)`), or kNoRequest if it was idle.
  RequestId fail(std::uint32_t server, double now);
  sim::EventId service_done(std::uint32_t server) const { return servers_[server].service_done; }
  /// A server is repaired at `now`; returns true if it must be put back in the idle ring (false:
  /// its old entry is still there and is usable again).
  bool repair(std::uint32_t server, double now);

  /// Interrupted requests waiting to be served again, oldest interruption first; served before
  /// any other waiting request.
  std::size_t requeued() const { return requeued_.size(); }
  void requeue(RequestId id) {
    ++interrupted_;
    requeued_.push_back(id);
  }
  RequestId pop_requeued() { return requeued_.pop_front(); }
  /// A request was dropped after `sojourn` seconds in the station.
  void count_drop(double sojourn) {
    ++interrupted_;
    dropped_sojourn_.add(sojourn);
  }

  void reset_statistics(double now);
  /// Appends availability (fraction of server-time up), failures, interrupted and dropped; with
  /// drop, also departure_rate and W_departures over every request that left after a stay
  /// (`completed` completions with mean sojourn `completed_sojourn`, and the dropped ones), the
  /// pair for which Little's law holds when dropped requests leave without completing.
  void collect(Metrics& out, double now, double window, const sim::Tally& completed) const;

  static constexpr RequestId kNoRequest = UINT32_MAX;

 private:
  struct Server {
    bool up = true;
    bool in_idle_ring = true;  // every server starts idle
    RequestId serving = kNoRequest;
    sim::EventId service_done;
  };

  sim::Rng rng_;
  FailureConfig config_;
  std::vector<Server> servers_;
  std::size_t down_in_idle_ring_ = 0;
  sim::RingQueue<RequestId> requeued_;

  std::uint64_t failures_ = 0;
  std::uint64_t interrupted_ = 0;  // services cut short by a failure
  sim::Tally dropped_sojourn_;     // of those whose request was dropped
  sim::TimeAverage up_servers_;
};

}  // namespace capsim::models
