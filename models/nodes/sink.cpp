#include "models/nodes/sink.hpp"

#include <cassert>

#include "models/nodes/network.hpp"

namespace capsim::models {

Sink::Sink(Network& network, std::string name) : Node(network, std::move(name)) {}

void Sink::accept(RequestId id) {
  const Request& request = network_.requests()[id];
  const double sojourn = network_.simulator().now() - request.created;
  Sojourns& part = request.internal ? internal_ : counted_;
  part.sojourn.add(sojourn);
  part.histogram.add(sojourn);
  network_.complete(id);
}

void Sink::reset_statistics() {
  for (Sojourns* part : {&counted_, &internal_}) {
    part->sojourn.reset();
    part->histogram.reset();
  }
}

void Sink::collect(Metrics& out) const {
  const double window = network_.simulator().now() - network_.window_start();
  sim::Tally sojourn = counted_.sojourn;
  sojourn.merge(internal_.sojourn);
  sim::QuantileHistogram histogram = counted_.histogram;
  histogram.merge(internal_.histogram);
  const auto completions = static_cast<double>(sojourn.count());
  out.add({"completions", completions});
  out.add({"throughput", completions / window});
  out.add({"W", sojourn.mean()});
  out.add_latency("sojourn", histogram);
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name, const SinkConfig&) {
  return std::make_unique<Sink>(network, name);
}

}  // namespace capsim::models
