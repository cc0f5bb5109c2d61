#pragma once
// Fork-join: a fork splits each request (the parent) into one child per branch; the join that
// collects the children releases the parent along its own route once k of them have arrived.
// The parent waits in the request pool meanwhile; children are internal requests (not counted
// end to end), so the system's arrivals, population and sojourn stay those of the parents.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "models/io/json_input.hpp"
#include "models/nodes/flow_metrics.hpp"
#include "models/nodes/node.hpp"
#include "sim/quantile_histogram.hpp"
#include "sim/slot_pool.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

struct Scenario;
class Join;

struct ForkConfig {
  /// k: how many children the parent waits for, 1 <= k <= n (the branches in "to"); absent: n.
  std::optional<std::int64_t> wait_for;
  /// The join that collects its children (index into Scenario::nodes; set by
  /// link_forks_and_joins).
  std::size_t join = 0;
};

struct JoinConfig {
  /// The fork whose children it collects (index into Scenario::nodes; set by
  /// link_forks_and_joins). Absent when no fork's branches lead here.
  std::optional<std::size_t> fork;
};

/// Sends one child per branch ("to", in order) and registers the parent with its join.
/// Reports arrivals (parents forked) and children (created).
class Fork final : public Node {
 public:
  Fork(Network& network, std::string name, const ForkConfig& config);

  void start() override;
  void accept(RequestId id) override;
  void reset_statistics() override;
  void collect(Metrics& out) const override;

 private:
  std::size_t join_index_;
  std::optional<std::int64_t> wait_for_;
  Join* join_ = nullptr;      // resolved in start(): every node exists by then
  std::uint32_t needed_ = 0;  // k
  std::uint64_t arrivals_ = 0;
  std::uint64_t children_ = 0;
};

/// Collects the children of its fork and releases each parent when its k-th child arrives.
/// Children arriving after their parent left are discarded ("late_children"). If so many
/// children are lost on the way (rejected) that k can no longer arrive, the parent is rejected.
/// Metrics describe the fork-join section, from the fork to the release: arrivals (parents
/// forked), completions (released), rejections, L (parents waiting), W and sojourn.pXX (fork-join
/// latency), in_system.start/end; and child_arrivals, late_children, lost_children.
class Join final : public Node {
 public:
  Join(Network& network, std::string name);

  /// A parent enters the section with `children` children, `needed` (>= 1) of which release it.
  /// Returns the record its children carry (Request::fork_record).
  std::uint32_t open(RequestId parent, std::uint32_t children, std::uint32_t needed);

  void accept(RequestId id) override;
  std::int64_t occupancy() const override { return flow_.held; }
  /// A child ended before reaching the join (rejected on its branch).
  void request_left(RequestId id, bool completed) override;
  void reset_statistics() override;
  void collect(Metrics& out) const override;

 private:
  struct Record {
    RequestId parent;           // links to the next free record while the record is free
    std::uint32_t needed;       // children still needed; 0 once the parent has left
    std::uint32_t outstanding;  // children neither arrived nor lost; the record lives until 0
    double forked_at;
  };
  void settle(std::uint32_t record, bool arrived);

  sim::SlotPool<Record, &Record::parent> records_;

  FlowCounts flow_;  // of parents; held: parents waiting for their children
  std::uint64_t child_arrivals_ = 0;
  std::uint64_t late_children_ = 0;
  std::uint64_t lost_children_ = 0;
  sim::TimeAverage number_waiting_;
  Latencies latencies_;  // fork to release
};

/// Reads a "fork" node's own key ("k"); the loader reads "to" (the branches).
ForkConfig read_fork(const Json& node, const Where& where);
/// A "join" has no keys of its own; the loader reads "to" (where released parents go).
inline JoinConfig read_join(const Json&, const Where&) {
  return {};
}
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const ForkConfig& config);
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const JoinConfig& config);

}  // namespace capsim::models
