#pragma once
// `capsim sweep`: run a scenario at every combination of varied parameters, with common random
// numbers (every point uses the same seeds), on all cores, keeping finished points on interrupt.

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/io/overrides.hpp"
#include "models/scenario/scenario.hpp"
#include "models/workflows/experiment.hpp"

namespace capsim::models {

struct SweepPoint {
  std::vector<Json> values;  ///< one per axis
  Scenario scenario;
  /// Set once every replication has finished: {"values", "nodes", "end_to_end", "theory"}.
  std::optional<Json> output;
  /// Closed-form values ("W", "sojourn.p99", ...) per node index (nodes.size(): end to end).
  std::map<std::pair<std::size_t, std::string>, double> theory;
};

struct Sweep {
  std::vector<SweepAxis> axes;
  std::vector<SweepPoint> points;     ///< cartesian product, the last axis varying fastest
  Json base;                          ///< the effective base scenario (overrides applied)
  std::vector<std::string> warnings;  ///< the base scenario's (Scenario::warnings)
};

/// Builds every point from the base document (with `overrides` applied) and the axes; each
/// point is validated like a scenario file. Throws InputError.
Sweep plan_sweep(const Json& document, const std::string& file,
                 const std::vector<Override>& overrides, std::vector<SweepAxis> axes);

struct SweepProgress {
  std::size_t finished_points = 0;
  std::size_t total_points = 0;
  std::size_t finished_runs = 0;  ///< replications
  std::size_t total_runs = 0;
};

/// Runs every point not yet finished, spreading (point, replication) pairs over `threads`.
/// `on_point` is called (serialized) whenever a point finishes; `stop` is polled between
/// replications: when it is set, unfinished points stay unfinished.
void run_sweep(Sweep& sweep, int threads, const std::atomic<bool>& stop,
               const std::function<void(const SweepProgress&)>& on_point);

/// The JSON document of a sweep: axes, and for every finished point its values, per-node
/// metrics and closed forms. Byte-identical for equal inputs, whatever the thread count.
Json sweep_json(const Sweep& sweep);
/// One CSV row per finished point and node.
std::string sweep_csv(const Sweep& sweep);

/// Marks as finished the points recorded in a previous sweep_json document of the same sweep;
/// throws InputError if that document belongs to another scenario or other axes.
void resume_sweep(Sweep& sweep, const Json& previous, const std::string& file);

}  // namespace capsim::models
