#pragma once
// `capsim validate`: simulated estimates beside closed-form queueing results, Little's law and
// flow balance at every node.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "models/scenario/scenario.hpp"
#include "models/theory/network_theory.hpp"
#include "models/workflows/experiment.hpp"

namespace capsim::models {

/// One comparison of a simulated estimate with a reference value.
struct Check {
  std::string node;
  std::string metric;       ///< "L", "sojourn.p99", "Little's law", "flow balance"
  sim::Estimate simulated;  ///< at the report's confidence (95%)
  double reference = 0;     ///< the closed form, or for Little's law 0 (the difference L - X W)
  double tolerance = 0;     ///< largest |simulated - reference| that counts as agreement
  bool agrees = false;
  /// False for an asymptotic limit, shown beside the simulation but not judged (agrees stays
  /// true and it takes no share of the Bonferroni level).
  bool judged = true;
  std::string note;  ///< e.g. "includes 0.39% histogram resolution"
};


struct Validation {
  double family_confidence = 0.95;
  double check_confidence = 0.95;  ///< per check, Bonferroni-corrected
  std::vector<NodeTheory> nodes;
  std::vector<Check> checks;
  std::vector<std::string> warnings;

  bool passed() const;
  /// Checks that count (asymptotic limits are only shown).
  std::size_t judged_count() const;
};

/// Compares `result` (a run of `scenario`) with theory; every judged check holds together with
/// `family_confidence` when the model agrees with theory.
Validation validate(const Scenario& scenario, const RunResult& result,
                    double family_confidence = 0.95);

/// The human-readable report.
std::string format_validation(const Scenario& scenario, const Validation& validation);

}  // namespace capsim::models
