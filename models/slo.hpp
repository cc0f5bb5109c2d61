#pragma once
// Service-level objectives: thresholds on simulated metrics, judged with confidence.

#include <string>
#include <vector>

#include "models/json_input.hpp"
#include "sim/statistics.hpp"

namespace capsim::models {

struct Scenario;
struct RunResult;

/// One objective, e.g. {"node": "done", "metric": "sojourn.p99", "max": 0.25}.
struct Slo {
  std::string node;            ///< node name, or "end to end" when the scenario names none
  std::size_t node_index = 0;  ///< into the scenario's nodes; nodes.size() means end to end
  std::string metric;          ///< any metric the node reports
  bool is_max = true;          ///< the metric must stay <= threshold (else >=)
  double threshold = 0;

  /// "sojourn.p99 <= 0.25 at done".
  std::string describe() const;
};

/// Reads the scenario's "slo" list, checking every node and metric name. Throws InputError.
std::vector<Slo> read_slos(const Json& document, const Scenario& scenario);

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
