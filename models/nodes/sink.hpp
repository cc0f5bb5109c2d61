#pragma once
// A sink: requests that reach it have completed; it measures their end-to-end sojourn. The
// network's end-to-end sojourn is every sink's share of it, merged when results are collected.

#include <memory>

#include "models/io/json_input.hpp"
#include "models/nodes/flow_metrics.hpp"
#include "models/nodes/node.hpp"

namespace capsim::models {

struct SinkConfig {};

class Sink final : public Node {
 public:
  Sink(Network& network, std::string name);

  void accept(RequestId id) override;
  void reset_statistics() override;
  void collect(Metrics& out) const override;

  /// Sojourns, from creation at a source, of the requests counted end to end (not internal).
  const Latencies& counted_sojourns() const { return counted_; }

 private:
  Latencies counted_;   // requests counted end to end
  Latencies internal_;  // a fork's children, an async node's messages: this sink reports them too
};

inline SinkConfig read_sink(const Json&, const Where&) { return {}; }
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const SinkConfig& config);

}  // namespace capsim::models
