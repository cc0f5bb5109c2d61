#include "models/nodes/delay.hpp"

#include "models/nodes/network.hpp"

namespace capsim::models {

Delay::Delay(Network& network, std::string name, const DelayConfig& config)
    : Node(network, std::move(name)), rng_(network.stream(this->name())), delay_(config.delay) {}

void Delay::accept(RequestId id) {
  const double now = network_.simulator().now();
  ++flow_.arrivals;
  network_.requests()[id].node_arrival = now;
  number_in_node_.set(now, static_cast<double>(++flow_.held));
  network_.simulator().schedule(delay_.sample(rng_), *this, 0, id);
}

void Delay::on_event(std::uint32_t, std::uint64_t payload) {
  const auto id = static_cast<RequestId>(payload);
  const double now = network_.simulator().now();
  const double sojourn = now - network_.requests()[id].node_arrival;
  sojourns_.add(sojourn);
  number_in_node_.set(now, static_cast<double>(--flow_.held));
  forward(id);
}

void Delay::reset_statistics() {
  const double now = network_.simulator().now();
  flow_.reset();
  number_in_node_.reset(now);
  sojourns_.reset();
}

void Delay::collect(Metrics& out) const {
  const double now = network_.simulator().now();
  const double window = now - network_.window_start();
  FlowCounts flow = flow_;
  flow.completions = sojourns_.tally.count();
  add_flow_metrics(out, flow, window, {.can_reject = false});
  add_sojourn_metrics(out, number_in_node_.mean(now), sojourns_);
}

DelayConfig read_delay(const Json& node, const Where& where) {
  if (!node.contains("delay")) where.fail("no key \"delay\"", "a \"delay\" distribution, s");
  return DelayConfig{read_distribution(node["delay"], where / "delay")};
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const DelayConfig& config) {
  return std::make_unique<Delay>(network, name, config);
}

}  // namespace capsim::models
