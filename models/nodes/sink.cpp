#include "models/nodes/sink.hpp"

#include <cassert>

#include "models/nodes/network.hpp"

namespace capsim::models {

Sink::Sink(Network& network, std::string name, SinkOutcome outcome)
    : Node(network, std::move(name)), error_(outcome == SinkOutcome::error) {}

void Sink::accept(RequestId id) {
  const Request& request = network_.requests()[id];
  const double sojourn = network_.simulator().now() - request.created;
  (request.internal ? internal_ : counted_).add(sojourn);
  if (error_) {
    network_.fail(id);
  } else {
    network_.complete(id);
  }
}

void Sink::reset_statistics() {
  counted_.reset();
  internal_.reset();
}

void Sink::collect(Metrics& out) const {
  const double window = network_.simulator().now() - network_.window_start();
  Latencies sojourns = counted_;
  sojourns.merge(internal_);
  const auto completions = static_cast<double>(sojourns.tally.count());
  out.add({"completions", completions});
  out.add({"throughput", completions / window});
  out.add({"W", sojourns.tally.mean()});
  out.add_latency("sojourn", sojourns.histogram);
}

SinkConfig read_sink(const Json& node, const Where& where) {
  SinkConfig config;
  if (node.contains("outcome")) {
    config.outcome =
        static_cast<SinkOutcome>(read_choice(node, "outcome", where, {"success", "error"},
                                             "the outcome of the requests that reach the sink"));
  }
  return config;
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const SinkConfig& config) {
  return std::make_unique<Sink>(network, name, config.outcome);
}

}  // namespace capsim::models
