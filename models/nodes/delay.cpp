#include "models/nodes/delay.hpp"

#include "models/nodes/network.hpp"

namespace capsim::models {

Delay::Delay(Network& network, std::string name, const DelayConfig& config)
    : Node(network, std::move(name)), rng_(network.stream(this->name())), delay_(config.delay) {}

void Delay::accept(RequestId id) {
  const double now = network_.simulator().now();
  ++arrivals_;
  network_.requests()[id].node_arrival = now;
  number_in_node_.set(now, static_cast<double>(++in_node_));
  network_.simulator().schedule(delay_.sample(rng_), *this, 0, id);
}

void Delay::on_event(std::uint32_t, std::uint64_t payload) {
  const auto id = static_cast<RequestId>(payload);
  const double now = network_.simulator().now();
  const double sojourn = now - network_.requests()[id].node_arrival;
  sojourn_.add(sojourn);
  sojourn_histogram_.add(sojourn);
  number_in_node_.set(now, static_cast<double>(--in_node_));
  forward(id);
}

void Delay::reset_statistics() {
  const double now = network_.simulator().now();
  arrivals_ = 0;
  in_node_at_start_ = in_node_;
  number_in_node_.reset(now);
  sojourn_.reset();
  sojourn_histogram_.reset();
}

void Delay::collect(Metrics& out) const {
  const double now = network_.simulator().now();
  const double window = now - network_.window_start();
  const auto arrivals = static_cast<double>(arrivals_);
  const auto completions = static_cast<double>(sojourn_.count());
  out.add({"arrivals", arrivals});
  out.add({"completions", completions});
  out.add({"rejections", 0});
  out.add({"in_system.start", static_cast<double>(in_node_at_start_)});
  out.add({"in_system.end", static_cast<double>(in_node_)});
  out.add({"arrival_rate", arrivals / window});
  out.add({"throughput", completions / window});
  out.add({"L", number_in_node_.mean(now)});
  out.add({"W", sojourn_.mean()});
  out.add_latency("sojourn", sojourn_histogram_);
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
