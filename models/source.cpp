#include "models/source.hpp"

#include <cassert>

#include "models/network.hpp"

namespace capsim::models {

Source::Source(Network& network, std::string name, sim::Rng rng, const SourceConfig& config)
    : Node(network, std::move(name)), rng_(rng), interarrival_(config.interarrival) {}

void Source::connect(const std::vector<Node*>& targets) {
  assert(targets.size() == 1);
  next_ = targets.front();
}

void Source::start() {
  network_.simulator().schedule(interarrival_.sample(rng_), *this, 0);
}

void Source::accept(RequestId) {
  assert(false && "the loader never routes requests to a source");
}

void Source::on_event(std::uint32_t, std::uint64_t) {
  network_.simulator().schedule(interarrival_.sample(rng_), *this, 0);
  ++generated_;
  next_->accept(network_.create_request());
}

void Source::reset_statistics() {
  generated_ = 0;
}

void Source::collect(Metrics& out) const {
  const double window = network_.simulator().now() - network_.window_start();
  out.add({"arrivals", static_cast<double>(generated_)});
  out.add({"arrival_rate", static_cast<double>(generated_) / window});
}

}  // namespace capsim::models
