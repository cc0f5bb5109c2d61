#include "models/sink.hpp"

#include <cassert>

#include "models/network.hpp"

namespace capsim::models {

Sink::Sink(Network& network, std::string name) : Node(network, std::move(name)) {}

void Sink::accept(RequestId id) {
  const double sojourn = network_.simulator().now() - network_.requests()[id].created;
  sojourn_.add(sojourn);
  sojourn_histogram_.add(sojourn);
  network_.complete(id);
}

void Sink::reset_statistics() {
  sojourn_.reset();
  sojourn_histogram_.reset();
}

void Sink::collect(Metrics& out) const {
  const double window = network_.simulator().now() - network_.window_start();
  const auto completions = static_cast<double>(sojourn_.count());
  out.add({"completions", completions});
  out.add({"throughput", completions / window});
  out.add({"W", sojourn_.mean()});
  out.add_latency("sojourn", sojourn_histogram_);
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name, const SinkConfig&) {
  return std::make_unique<Sink>(network, name);
}

}  // namespace capsim::models
