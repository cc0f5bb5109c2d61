#pragma once
// Judging service-level objectives against a run: met, violated or inconclusive, with
// confidence; the table and the JUnit report of `capsim check`.

#include <string>
#include <vector>

#include "models/scenario/slo.hpp"
#include "models/workflows/experiment.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

enum class Verdict {
  met,           ///< the whole confidence interval is on the good side
  violated,      ///< the whole confidence interval is on the bad side
  inconclusive,  ///< the interval straddles the threshold: run longer
};

struct SloOutcome {
  Slo slo;
  sim::Estimate estimate;
  Verdict verdict = Verdict::inconclusive;
  /// Distance from the threshold on the good side, relative to the threshold (negative when
  /// the estimate is on the bad side).
  double margin = 0;
};

/// Judges every SLO against a run at its 95% intervals.
std::vector<SloOutcome> evaluate_slos(const std::vector<Slo>& slos, const RunResult& result);

/// 0 when every SLO is met, 1 when any is violated, 3 when none is violated but some are
/// inconclusive.
int exit_code(const std::vector<SloOutcome>& outcomes);

const char* verdict_name(Verdict verdict);
std::string format_slo_table(const std::vector<SloOutcome>& outcomes);
/// A JUnit XML report: one test case per SLO; violated ones fail, inconclusive ones are skipped.
std::string junit_report(const std::string& suite, const std::vector<SloOutcome>& outcomes);

}  // namespace capsim::models
