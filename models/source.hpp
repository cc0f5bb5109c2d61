#pragma once
// An open-loop source: requests arrive with independent inter-arrival times.

#include <string>

#include "models/node.hpp"
#include "sim/distribution.hpp"
#include "sim/rng.hpp"

namespace capsim::models {

struct SourceConfig {
  sim::Distribution interarrival =
      sim::Distribution::exponential(1.0);  ///< time between arrivals, s
  std::string to;                           ///< name of the node every request goes to
};

class Source final : public Node {
 public:
  Source(Network& network, std::string name, sim::Rng rng, const SourceConfig& config);

  void connect(const std::vector<Node*>& targets) override;
  void start() override;
  void accept(RequestId id) override;
  void reset_statistics() override;
  void collect(Metrics& out) const override;
  void on_event(std::uint32_t kind, std::uint64_t payload) override;

 private:
  sim::Rng rng_;
  sim::Distribution interarrival_;
  Node* next_ = nullptr;
  std::uint64_t generated_ = 0;
};

}  // namespace capsim::models
