#pragma once
// Closed-loop clients: a fixed population of users, each of whom sends a request, waits for its
// reply, thinks, and sends the next. The offered load adapts to the system: a slow system gets
// fewer requests, as with real interactive users (the "think time" model of terminals, browsers
// or load generators with a fixed number of virtual users).

#include <cstdint>
#include <memory>
#include <string>

#include "models/io/json_input.hpp"
#include "models/nodes/flow_metrics.hpp"
#include "models/nodes/node.hpp"
#include "sim/distribution.hpp"
#include "sim/quantile_histogram.hpp"
#include "sim/rng.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

struct ClientsConfig {
  int users = 1;  ///< N, the number of users, >= 1
  /// Z: think time between a reply and the user's next request, s.
  sim::Distribution think = sim::Distribution::exponential(1.0);
};

/// N users in a closed loop. At time 0 every user starts thinking (a fresh think time each), so
/// the first requests spread out over one think time; the warm-up should cover a few cycles
/// (think time + response time). A request leaves the system at a sink (a reply) or when a
/// station rejects it (an error reply): either way its user thinks and then sends the next.
///
/// Metrics over the measurement window: `users`; `arrivals` (requests sent); `completions`
/// (requests completed) and `rejections` (requests rejected downstream or ended at an error
/// sink: error replies), together the replies;
/// `throughput` (replies per second: every reply ends one user cycle); `arrival_rate`;
/// `rejection_ratio` (rejections / arrivals); `L` (time-average number of requests outstanding,
/// sent but not yet answered); `W` (mean response time from send to reply, of the replies in
/// the window) and `sojourn.pXX`; `think` (mean of the think times that ended in the window);
/// `in_system.start` / `in_system.end` (outstanding requests at the window's edges), so that
/// Little's law L = X W and flow balance (arrivals + start = replies + end) are checked like any
/// node's; and `response_time_law`, W - (N / X - think), which the interactive response-time law
/// R = N / X - Z (Denning & Buzen 1978) makes 0 up to edge effects of the window.
class Clients final : public Node {
 public:
  Clients(Network& network, std::string name, const ClientsConfig& config);

  void start() override;
  void accept(RequestId id) override;
  void request_left(RequestId id, bool completed) override;
  void reset_statistics() override;
  void collect(Metrics& out) const override;
  void on_event(std::uint32_t kind, std::uint64_t payload) override;

 private:
  void think();

  sim::Rng think_rng_;
  sim::Distribution think_;
  int users_;

  FlowCounts flow_;  // arrivals: requests sent; held: sent and not yet answered
  sim::TimeAverage outstanding_average_;
  Latencies responses_;    // every reply, rejections included
  sim::Tally think_time_;  // think times that ended in the window
};

/// Reads a "clients" node's own keys ("users", "think"); the loader reads "to".
ClientsConfig read_clients(const Json& node, const Where& where);
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const ClientsConfig& config);

}  // namespace capsim::models
