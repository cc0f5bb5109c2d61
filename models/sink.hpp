#pragma once
// A sink: requests that reach it have completed; it measures their end-to-end sojourn.

#include <memory>

#include "models/json_input.hpp"
#include "models/node.hpp"
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

 private:
  sim::Tally sojourn_;
  sim::QuantileHistogram sojourn_histogram_;
};

inline SinkConfig read_sink(const Json&, const Where&) { return {}; }
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const SinkConfig& config);

}  // namespace capsim::models
