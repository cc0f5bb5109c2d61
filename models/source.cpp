#include "models/source.hpp"

#include <cassert>

#include "models/network.hpp"

namespace capsim::models {

Source::Source(Network& network, std::string name, const SourceConfig& config)
    : Node(network, std::move(name)),
      rng_(network.stream(this->name())),
      key_rng_(network.stream(this->name() + "#keys")),
      interarrival_(config.interarrival),
      keys_(config.keys) {}

void Source::start() { network_.simulator().schedule(interarrival_.sample(rng_), *this, 0); }

void Source::accept(RequestId) { assert(false && "the loader never routes requests to a source"); }

void Source::on_event(std::uint32_t, std::uint64_t) {
  network_.simulator().schedule(interarrival_.sample(rng_), *this, 0);
  ++generated_;
  const RequestId id = network_.create_request();
  if (keys_) network_.requests()[id].key = keys_->sample(key_rng_);
  forward(id);
}

void Source::reset_statistics() { generated_ = 0; }

void Source::collect(Metrics& out) const {
  const double window = network_.simulator().now() - network_.window_start();
  out.add({"arrivals", static_cast<double>(generated_)});
  out.add({"arrival_rate", static_cast<double>(generated_) / window});
}

SourceConfig read_source(const Json& node, const Where& where) {
  SourceConfig config;
  if (!node.contains("arrival")) {
    where.fail("no key \"arrival\"", "an \"arrival\" distribution of inter-arrival times");
  }
  config.interarrival = read_distribution(node["arrival"], where / "arrival");
  if (node.contains("keys")) config.keys = read_key_space(node["keys"], where / "keys");
  return config;
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const SourceConfig& config) {
  return std::make_unique<Source>(network, name, config);
}

}  // namespace capsim::models
