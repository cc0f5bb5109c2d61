#pragma once
// What a run to a relative precision reports (models/workflows/sequential.hpp runs it): the
// metrics it aimed at, the relative half-width each reached, the replications it took.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "models/io/json_input.hpp"

namespace capsim::models {

/// A metric of one node (or end to end) that a run to a precision aims at.
struct PrecisionTarget {
  std::size_t node_index = 0;  ///< into the scenario's nodes; nodes.size() means end to end
  std::string node;            ///< its name, or "end to end"
  std::string metric;

  /// "sojourn.p99 at api".
  std::string describe() const { return metric + " at " + node; }
};

/// Where one target stands once the run stopped.
struct TargetPrecision {
  PrecisionTarget target;
  /// Half-width over |estimate| (sim::relative_half_width): 0 for an exact value, NaN when some
  /// replication had no value.
  double relative_half_width = 0;
  /// Law & Kelton's estimate of the replications the target needs (sim::replications_needed),
  /// from the variance of those run; sim::kUnreachable when no number would do.
  std::uint64_t replications_needed = 0;
  bool met = false;  ///< relative_half_width <= the adjusted target
};

struct PrecisionReport {
  double relative_error = 0;        ///< gamma, as asked (--precision)
  double target = 0;                ///< gamma / (1 + gamma): the relative half-width to stop at
  std::size_t start = 0;            ///< replications of the first round
  std::size_t budget = 0;           ///< at most this many replications
  std::vector<std::size_t> rounds;  ///< replications run after each round, the last = used
  std::vector<TargetPrecision> reached;

  std::size_t used() const { return rounds.empty() ? 0 : rounds.back(); }
  /// Every target met (NaN ones cannot be, so they count as not met).
  bool met() const;
};

/// For the header after "N replications": " (to a relative precision of 2%, by Law & Kelton's
/// sequential procedure: from 10, budget 200)".
std::string precision_clause(const PrecisionReport& report);
/// One line for after the tables: the relative half-width each target reached, against the
/// target.
std::string format_reached(const PrecisionReport& report);
/// One line for each target not reached: the precision it reached after how many replications,
/// and how many it would take (extrapolated); or why it has no precision.
std::vector<std::string> precision_warnings(const PrecisionReport& report);
/// {"target": ..., "adjusted_target": ..., "reached": {node: {metric: ...}}, ...}.
Json precision_json(const PrecisionReport& report);

}  // namespace capsim::models
