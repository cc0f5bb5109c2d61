#include "models/workflows/precision.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/io/text_format.hpp"
#include "sim/sequential.hpp"

namespace capsim::models {

namespace {

std::string percent(double fraction) {
  return format_number(100 * fraction, 3) + "%";
}

// JSON has no NaN: null stands for "not measured".
Json number(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

}  // namespace

bool PrecisionReport::met() const {
  return std::all_of(reached.begin(), reached.end(),
                     [](const TargetPrecision& r) { return r.met; });
}

std::string precision_clause(const PrecisionReport& report) {
  return fmt::format(
      " (until every target's relative half-width was at most {} for a relative error of {}, by "
      "Law & Kelton's sequential procedure: from {}, budget {})",
      percent(report.target), percent(report.relative_error), report.start, report.budget);
}

std::string format_reached(const PrecisionReport& report) {
  std::string line =
      fmt::format("relative half-widths (at most {} asked):", percent(report.target));
  for (std::size_t i = 0; i < report.reached.size(); ++i) {
    const TargetPrecision& r = report.reached[i];
    line += fmt::format("{}{} {}{}", i == 0 ? " " : ", ", r.target.describe(),
                        std::isnan(r.relative_half_width) ? "n/a" : percent(r.relative_half_width),
                        r.met ? "" : " (not reached)");
  }
  return line + "\n";
}

std::vector<std::string> precision_warnings(const PrecisionReport& report) {
  std::vector<std::string> warnings;
  for (const TargetPrecision& r : report.reached) {
    if (r.met) continue;
    if (std::isnan(r.relative_half_width)) {
      warnings.push_back(fmt::format(
          "precision of {} unknown: some replication measured no value (nothing completed "
          "there?), so more replications cannot give it an interval; run longer (--duration)",
          r.target.describe()));
      continue;
    }
    const std::string needed =
        r.replications_needed >= sim::kUnreachable
            ? "no number of replications would reach it (its estimate is 0)"
            : fmt::format(
                  "about {} replications would reach it (extrapolated from the "
                  "variance of these)",
                  r.replications_needed);
    warnings.push_back(
        fmt::format("precision not reached: {} has a 95% half-width of {} of its estimate after {} "
                    "replications (the budget, --max-replications), above the {} asked; {}",
                    r.target.describe(), percent(r.relative_half_width), report.used(),
                    percent(report.target), needed));
  }
  return warnings;
}

Json precision_json(const PrecisionReport& report) {
  Json reached = Json::object();
  for (const TargetPrecision& r : report.reached) {
    reached[r.target.node][r.target.metric] = number(r.relative_half_width);
  }
  Json needed = Json::object();
  for (const TargetPrecision& r : report.reached) {
    needed[r.target.node][r.target.metric] =
        r.replications_needed >= sim::kUnreachable ? Json(nullptr) : Json(r.replications_needed);
  }
  return {{"target", report.relative_error},
          {"adjusted_target", report.target},
          {"method", "Law & Kelton, Simulation Modeling and Analysis, sec. 9.4.1"},
          {"met", report.met()},
          {"reached", std::move(reached)},
          {"replications_needed", std::move(needed)},
          {"replications_used", report.used()},
          {"start", report.start},
          {"budget", report.budget},
          {"rounds", report.rounds}};
}

}  // namespace capsim::models
