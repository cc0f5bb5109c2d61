#pragma once
// A sink: requests that reach it have completed; it measures their end-to-end sojourn. The
// network's end-to-end sojourn is every sink's share of it, merged when results are collected.

#include <memory>

#include "models/io/json_input.hpp"
#include "models/nodes/node.hpp"
#include "sim/quantile_histogram.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

struct SinkConfig {};

class Sink final : public Node {
 public:
  Sink(Network& network, std::string name);

  void accept(RequestId id) override;
  void reset_statistics() override;
  void collect(Metrics& out) const override;

  /// Sojourns, from creation at a source, of the requests counted end to end (not internal).
  const sim::Tally& counted_sojourn() const { return counted_.sojourn; }
  const sim::QuantileHistogram& counted_sojourn_histogram() const { return counted_.histogram; }

 private:
  struct Sojourns {
    sim::Tally sojourn;
    sim::QuantileHistogram histogram;
  };
  Sojourns counted_;   // requests counted end to end
  Sojourns internal_;  // a fork's children, an async node's messages: this sink reports them too
};

inline SinkConfig read_sink(const Json&, const Where&) { return {}; }
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const SinkConfig& config);

}  // namespace capsim::models
