#pragma once
// A sink: requests that reach it have completed; it measures their end-to-end sojourn.

#include "models/node.hpp"
#include "sim/quantile_histogram.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

struct SinkConfig {};

class Sink final : public Node {
 public:
  Sink(Network& network, std::string name);

  void connect(const std::vector<Node*>& targets) override;
  void accept(RequestId id) override;
  void reset_statistics() override;
  void collect(Metrics& out) const override;

 private:
  sim::Tally sojourn_;
  sim::QuantileHistogram sojourn_histogram_;
};

}  // namespace capsim::models
