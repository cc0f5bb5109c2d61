#pragma once
// Asynchronous hand-off through a message queue (node type "async"): the caller is acknowledged
// at once and goes on, while a new request (the message) carries the work to a consumer.
// "to" is a list of exactly two node names: [ack, consumer]. The caller continues along ack
// (typically a sink: its response is the enqueue acknowledgement); the message, created at the
// enqueue time with the caller's class, key and size, goes to the consumer (typically a worker
// station, then a sink). Messages are internal requests: the system counts the callers end to
// end, and this node accounts for the messages until they complete or are rejected.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/io/json_input.hpp"
#include "models/nodes/flow_metrics.hpp"
#include "models/nodes/node.hpp"
#include "sim/quantile_histogram.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

/// An "async" node has no keys of its own; "to" = [ack, consumer].
struct AsyncConfig {};

/// Reports, for its messages: arrivals (enqueued), completions (reached a sink), rejections,
/// L (messages outstanding: queued or being processed anywhere downstream), W and sojourn.pXX
/// (processing delay, enqueue to completion), consumer_lag (enqueue to the start of the
/// message's last service: the wait in the worker queue when the consumer is one station),
/// in_system.start/end.
class MessageQueue final : public Node {
 public:
  MessageQueue(Network& network, std::string name);

  void accept(RequestId id) override;
  std::int64_t occupancy() const override { return flow_.held; }
  /// A message left the system: completed at a sink, or rejected or failed at an error sink.
  void request_left(RequestId id, bool completed) override;
  void reset_statistics() override;
  void collect(Metrics& out) const override;

 private:
  FlowCounts flow_;  // of messages; held: messages outstanding
  sim::TimeAverage number_outstanding_;
  Latencies processing_delays_;
  sim::Tally consumer_lag_;
};

/// Checks that "to" is a list of exactly two names [ack, consumer] (the loader reads them).
AsyncConfig read_async(const Json& node, const Where& where);
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const AsyncConfig& config);

}  // namespace capsim::models
