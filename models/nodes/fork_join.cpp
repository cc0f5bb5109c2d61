#include "models/nodes/fork_join.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <utility>
#include <variant>

#include "models/nodes/network.hpp"

namespace capsim::models {

namespace {
constexpr std::int64_t kMaxBranches = 1'000'000;
}  // namespace

Fork::Fork(Network& network, std::string name, const ForkConfig& config)
    : Node(network, std::move(name)), join_index_(config.join), wait_for_(config.wait_for) {}

void Fork::start() {
  join_ = &dynamic_cast<Join&>(network_.node(join_index_));
  needed_ =
      static_cast<std::uint32_t>(wait_for_.value_or(static_cast<std::int64_t>(targets().size())));
}

void Fork::accept(RequestId id) {
  ++arrivals_;
  // Copied before any child is sent: a branch may lead straight to the join, which can release
  // (and so recycle) the parent before this loop ends.
  const Request parent = network_.requests()[id];
  const auto children = static_cast<std::uint32_t>(targets().size());
  const std::uint32_t record = join_->open(id, children, needed_);
  for (Node* branch : targets()) {
    const RequestId child = network_.create_internal(*join_);
    Request& request = network_.requests()[child];
    request.request_class = parent.request_class;
    request.key = parent.key;
    request.size = parent.size;
    request.fork_record = record;
    ++children_;
    branch->accept(child);
  }
}

void Fork::reset_statistics() {
  arrivals_ = children_ = 0;
}

void Fork::collect(Metrics& out) const {
  out.add({"arrivals", static_cast<double>(arrivals_)});
  out.add({"children", static_cast<double>(children_)});
}

Join::Join(Network& network, std::string name) : Node(network, std::move(name)) {}

std::uint32_t Join::open(RequestId parent, std::uint32_t children, std::uint32_t needed) {
  assert(needed >= 1 && needed <= children);
  const double now = network_.simulator().now();
  const std::uint32_t index = records_.acquire();
  records_[index] = Record{parent, needed, children, now};
  ++flow_.arrivals;
  number_waiting_.set(now, static_cast<double>(++flow_.held));
  return index;
}

void Join::accept(RequestId id) {
  const std::uint32_t record = network_.requests()[id].fork_record;
  assert(record < records_.size() && "the loader lets only this join's children reach it");
  ++child_arrivals_;
  network_.retire_internal(id);
  settle(record, true);
}

void Join::request_left(RequestId id, bool) {
  // A child left through a rejection (the loader keeps children away from sinks).
  ++lost_children_;
  settle(network_.requests()[id].fork_record, false);
}

void Join::settle(std::uint32_t index, bool arrived) {
  Record& record = records_[index];
  --record.outstanding;
  bool release = false;
  bool reject = false;
  if (record.needed == 0) {
    if (arrived) ++late_children_;
  } else if (arrived) {
    release = --record.needed == 0;
  } else if (record.needed > record.outstanding) {
    // Too few children left to ever release it: the parent fails as a whole.
    reject = true;
    record.needed = 0;
  }
  const RequestId parent = record.parent;
  const double forked_at = record.forked_at;
  // The record outlives its parent until every child is accounted for, so late children never
  // meet a recycled parent slot.
  if (record.outstanding == 0) records_.release(index);
  if (!release && !reject) return;

  // Bookkeeping first: forwarding may run the parent through this section again.
  const double now = network_.simulator().now();
  number_waiting_.set(now, static_cast<double>(--flow_.held));
  if (release) {
    ++flow_.completions;
    latencies_.add(now - forked_at);
    forward(parent);
  } else {
    ++flow_.rejections;
    network_.reject(parent);
  }
}

void Join::reset_statistics() {
  const double now = network_.simulator().now();
  flow_.reset();
  child_arrivals_ = late_children_ = lost_children_ = 0;
  number_waiting_.reset(now);
  latencies_.reset();
}

void Join::collect(Metrics& out) const {
  const double now = network_.simulator().now();
  const double window = now - network_.window_start();
  add_flow_metrics(out, flow_, window);
  add_sojourn_metrics(out, number_waiting_.mean(now), latencies_);
  out.add({"child_arrivals", static_cast<double>(child_arrivals_)});
  out.add({"late_children", static_cast<double>(late_children_)});
  out.add({"lost_children", static_cast<double>(lost_children_)});
}

ForkConfig read_fork(const Json& node, const Where& where) {
  // "to" is read by the loader after this, so only a well-formed list bounds k here; a bad "to"
  // gets its own message.
  const auto to = node.find("to");
  const double branches = to != node.end() && to->is_array() && !to->empty()
                              ? static_cast<double>(to->size())
                              : static_cast<double>(kMaxBranches);
  ForkConfig config;
  config.wait_for = read_optional_integer(node, "k", where, Range{1, true, branches, true});
  return config;
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const ForkConfig& config) {
  return std::make_unique<Fork>(network, name, config);
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name, const JoinConfig&) {
  return std::make_unique<Join>(network, name);
}

}  // namespace capsim::models
