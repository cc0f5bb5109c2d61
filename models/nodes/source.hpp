#pragma once
// An open-loop source: requests arrive whatever the state of the system, with independent
// inter-arrival times ("arrival"), as a Poisson process whose rate varies in time ("profile"), or
// replayed from a file ("trace"); optionally several at a time ("batch").

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "models/io/json_input.hpp"
#include "models/io/trace.hpp"
#include "models/nodes/key_space.hpp"
#include "models/nodes/node.hpp"
#include "models/nodes/rate_profile.hpp"
#include "sim/distribution.hpp"
#include "sim/rng.hpp"

namespace capsim::models {

/// How many requests one arrival brings.
struct BatchSize {
  /// Drawn per arrival, rounded to the nearest integer, and at least 1.
  sim::Distribution size = sim::Distribution::deterministic(1);
  /// E[max(1, round(size))], when it is known exactly (deterministic and empirical sizes);
  /// otherwise the distribution's mean, an approximation (exact = false).
  double mean = 1;
  bool exact = true;

  int sample(sim::Rng& rng) const;
};

/// Exactly one of the three arrival processes is used: `profile` when set, else `trace` when
/// set, else `interarrival`.
struct SourceConfig {
  /// "arrival": time between arrivals, s (a renewal process).
  sim::Distribution interarrival = sim::Distribution::exponential(1.0);
  std::optional<RateProfile> profile;  ///< "profile": non-homogeneous Poisson arrivals
  std::optional<TraceSpec> trace;      ///< "trace": arrival times (keys, sizes) from a file
  std::optional<BatchSize> batch;      ///< "batch": requests per arrival; absent: 1
  std::optional<KeySpace> keys;  ///< gives every request a key; absent: key 0 (or the trace's)
  /// Request class of every request sent (index into the scenario's classes; set by the loader
  /// from "class").
  std::uint32_t request_class = 0;

  /// True for renewal arrivals of single requests, the only case before profiles, traces and
  /// batches existed.
  bool plain() const { return !profile && !trace && !batch; }
};

class Source final : public Node {
 public:
  Source(Network& network, std::string name, const SourceConfig& config);

  void start() override;
  void accept(RequestId id) override;
  void reset_statistics() override;
  void collect(Metrics& out) const override;
  void on_event(std::uint32_t kind, std::uint64_t payload) override;

 private:
  // Both inline (defined in source.cpp, their only user): they run at every arrival.
  inline void schedule_next();
  // Creates the requests of one arrival (one, or a batch) and sends them on.
  inline void emit(const TraceRecord* record);

  sim::Rng rng_;        // arrival times: inter-arrival draws, or thinning candidates
  sim::Rng key_rng_;    // its own stream: adding keys leaves the arrival times alone
  sim::Rng batch_rng_;  // likewise for batch sizes
  sim::Distribution interarrival_;
  std::optional<ProfileArrivals> profile_;
  std::optional<TraceReader> trace_;
  TraceRecord next_record_;  // read ahead: the trace line the pending arrival replays
  std::optional<BatchSize> batch_;
  std::optional<KeySpace> keys_;
  std::uint32_t request_class_;
  std::uint64_t generated_ = 0;
  std::uint64_t batches_ = 0;
};

/// Reads a "source" node's own keys ("arrival", "profile", "trace", "batch", "keys"); the loader
/// reads "to". Trace files are found relative to the scenario file's directory.
SourceConfig read_source(const Json& node, const Where& where);
std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const SourceConfig& config);

}  // namespace capsim::models
