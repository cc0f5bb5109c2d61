#pragma once
// Capacity questions answered by repeated simulation against the scenario's SLOs:
// `capsim plan` (the smallest capacity that meets them) and `capsim headroom` (the largest load
// factor that still meets them).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "models/io/overrides.hpp"
#include "models/scenario/scenario.hpp"
#include "models/workflows/slo_check.hpp"

namespace capsim::models {

/// One simulated candidate.
struct Probe {
  double value = 0;  ///< the searched parameter (plan) or the load factor (headroom)
  std::vector<SloOutcome> outcomes;
  bool met = false;  ///< every SLO met with 95% confidence
  std::string note;  ///< e.g. "closed form predicts the SLOs are met from here"
};

struct SearchReport {
  std::string path;
  std::vector<Probe> probes;     ///< in the order simulated
  std::optional<Probe> answer;   ///< the smallest meeting value (plan) / largest factor (headroom)
  std::optional<double> theory;  ///< the closed form's answer, when every SLO has one
  std::string explanation;       ///< how the answer was reached, or why there is none
};

/// Builds and runs the scenario with overrides; used by the searches (and replaceable in tests).
using Evaluate = std::function<std::vector<SloOutcome>(const std::vector<Override>&)>;

/// The smallest integer value of `path` in [low, high] meeting every SLO, assuming a larger
/// value never hurts (servers, capacity). Starts from the closed-form answer when every SLO has
/// a closed form, else bisects.
SearchReport plan_capacity(const Json& document, const std::string& file,
                           const std::vector<Override>& overrides, const std::string& path,
                           std::int64_t low, std::int64_t high, const Evaluate& evaluate);

/// The largest factor f (to `precision`, relative) such that scaling the load at `path` by f
/// still meets every SLO: a "rate" is multiplied by f, a "mean" (time between arrivals) divided.
SearchReport find_headroom(const Json& document, const std::string& file,
                           const std::vector<Override>& overrides, const std::string& path,
                           double precision, double max_factor, const Evaluate& evaluate);

std::string format_search(const SearchReport& report, const char* what);

}  // namespace capsim::models
