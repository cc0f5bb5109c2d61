#pragma once
// A sink: requests that reach it leave the system, with the sink's outcome: a success (they
// completed) or an error (they failed, e.g. an HTTP 429 or 500 reply). It measures their
// end-to-end sojourn; the network's end-to-end sojourn of successes, and of failures, is every
// sink's share of it, merged when results are collected.

#include <memory>

#include "models/io/json_input.hpp"
#include "models/nodes/flow_metrics.hpp"
#include "models/nodes/node.hpp"

namespace capsim::models {

/// What the requests that reach a sink come to, end to end.
enum class SinkOutcome { success, error };

struct SinkConfig {
  /// "outcome": "success" (default) or "error": requests ending here count as failed.
  SinkOutcome outcome = SinkOutcome::success;
};

class Sink final : public Node {
 public:
  Sink(Network& network, std::string name, SinkOutcome outcome);

  void accept(RequestId id) override;
  void reset_statistics() override;
  void collect(Metrics& out) const override;

  /// Whether requests ending here have failed.
  bool is_error() const { return error_; }
  /// Sojourns, from creation at a source, of the requests counted end to end (not internal).
  const Latencies& counted_sojourns() const { return counted_; }

 private:
  bool error_;
  Latencies counted_;   // requests counted end to end
  Latencies internal_;  // a fork's children, an async node's messages: this sink reports them too
};

SinkConfig read_sink(const Json& node, const Where& where);
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const SinkConfig& config);

}  // namespace capsim::models
