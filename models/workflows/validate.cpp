#include "models/workflows/validate.hpp"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <variant>

#include "models/io/text_format.hpp"
#include "models/theory/analysis.hpp"
#include "sim/quantile_histogram.hpp"

namespace capsim::models {

namespace {

constexpr double kClockUlps = 4;

// What rounding of time stamps leaves in a deterministic quantity: a few ulps of the clock at the
// end of the run.
double clock_rounding(const Scenario& scenario) {
  return kClockUlps * std::numeric_limits<double>::epsilon() *
         (scenario.warmup + scenario.duration);
}

// The run being validated, node by node; index nodes.size() is end to end.
struct Run {
  const Scenario& scenario;
  const RunResult& result;

  std::size_t end_to_end() const { return scenario.nodes.size(); }
  std::string node_name(std::size_t i) const {
    return i == end_to_end() ? std::string("end to end") : scenario.nodes[i].name;
  }
  const NodeSummary& summary(std::size_t i) const {
    return i == end_to_end() ? result.system : result.nodes[i];
  }
};

// Where Little's law is checked, with the metrics that give its rate and its sojourn.
struct LittleSite {
  std::size_t node;
  const char* rate;
  const char* sojourn;
};

// Wherever a time-average population and a sojourn are both measured.
std::vector<LittleSite> little_sites(const Run& run) {
  std::vector<LittleSite> little;
  for (std::size_t i = 0; i < run.end_to_end(); ++i) {
    const NodeSummary& node = run.result.nodes[i];
    if (node.find("L") && node.find("W") && node.find("throughput")) {
      little.push_back({i, "throughput", "W"});
    }
  }
  // End to end, rejected requests also spend time in the system until they are turned away.
  little.push_back({run.end_to_end(), "departure_rate", "W_departures"});
  return little;
}

// A confidence level in percent with enough digits to tell it from 100 (99.9998, not 100).
std::string percent_level(double level) {
  const int digits = 2 + static_cast<int>(std::ceil(-std::log10(1 - level)));
  return fmt::format("{:.{}g}", 100 * level, std::max(4, digits));
}

// Each judged check at a confidence that makes all of them hold together at `family` (Bonferroni).
double check_confidence(double family, const std::vector<PlannedCheck>& plan,
                        std::size_t little_checks) {
  const auto limits = static_cast<std::size_t>(
      std::count_if(plan.begin(), plan.end(), [](const PlannedCheck& p) { return p.limit; }));
  const std::size_t check_count = plan.size() - limits + little_checks;
  const double alpha = 1 - family;
  return 1 - alpha / static_cast<double>(std::max<std::size_t>(1, check_count));
}

Check compare_with_theory(const Run& run, const PlannedCheck& p, double confidence) {
  Check check;
  check.node = run.node_name(p.node);
  check.metric = p.metric;
  check.reference = p.theory;
  check.simulated = *run.summary(p.node).find(p.metric);
  const sim::Estimate wide = estimate_metric(run.result, p.node, p.metric, confidence);
  // A deterministic quantity has no spread across replications; what remains is rounding.
  check.tolerance = wide.half_width + clock_rounding(run.scenario);
  if (p.percentile) {
    check.tolerance += sim::QuantileHistogram::kRelativeError * std::fabs(p.theory);
    check.note = "tolerance includes the histogram's 0.39% resolution";
  }
  if (p.approximation_error > 0) {
    check.tolerance += p.approximation_error;
    check.note = fmt::format("approximation: tolerance includes {}'s stated error {}",
                             p.approximation, format_number(p.approximation_error, 3));
  }
  check.agrees = std::fabs(wide.mean - p.theory) <= check.tolerance;
  if (p.limit) {
    check.judged = false;
    check.agrees = true;
    check.tolerance = 0;
    check.note = "asymptotic limit: shown, not judged";
  }
  return check;
}

// L - X W over the replications, which should be 0 but for requests at the window's edges.
Check check_little(const Run& run, const LittleSite& site, double confidence) {
  const RunResult& result = run.result;
  const auto L = per_replication(result, site.node, "L");
  const auto rate = per_replication(result, site.node, site.rate);
  const auto sojourn = per_replication(result, site.node, site.sojourn);
  const auto start = per_replication(result, site.node, "in_system.start");
  const auto end = per_replication(result, site.node, "in_system.end");
  std::vector<double> difference(L.size());
  double boundary = 0;  // requests straddling the window's edges: the known bias of L - X W
  for (std::size_t r = 0; r < L.size(); ++r) {
    const double w = std::isnan(sojourn[r]) ? 0 : sojourn[r];
    difference[r] = L[r] - rate[r] * w;
    boundary += (start[r] + end[r]) * w / run.scenario.duration / static_cast<double>(L.size());
  }
  Check check;
  check.node = run.node_name(site.node);
  check.metric = "Little's law";
  check.simulated = sim::estimate(difference, result.confidence);
  const sim::Estimate wide = sim::estimate(difference, confidence);
  check.reference = 0;
  // With nobody at the window's edges, L - X W is pure rounding of time stamps.
  double mean_rate = 0;
  for (double x : rate) mean_rate += x / static_cast<double>(rate.size());
  const double rounding = clock_rounding(run.scenario) * (1 + mean_rate);
  check.tolerance = std::max(wide.half_width, boundary) + rounding;
  check.agrees = std::isfinite(wide.mean) && std::fabs(wide.mean) <= check.tolerance;
  check.note = fmt::format("L - X W, L = {}", format_estimate(*run.summary(site.node).find("L")));
  return check;
}

// Flow balance is exact bookkeeping in every replication: arrivals + present at the start
// = completions + rejections (+ failures, end to end with error sinks) + present at the end.
Check check_flow_balance(const Run& run, std::size_t node) {
  const auto arrivals = per_replication(run.result, node, "arrivals");
  const auto completions = per_replication(run.result, node, "completions");
  const auto rejections = per_replication(run.result, node, "rejections");
  const bool fails = run.summary(node).find("failed") != nullptr;
  const auto failed = fails ? per_replication(run.result, node, "failed")
                            : std::vector<double>(arrivals.size(), 0.0);
  const auto start = per_replication(run.result, node, "in_system.start");
  const auto end = per_replication(run.result, node, "in_system.end");
  double worst = 0;
  for (std::size_t r = 0; r < arrivals.size(); ++r) {
    const double left = completions[r] + rejections[r] + failed[r];
    worst = std::max(worst, std::fabs(arrivals[r] + start[r] - left - end[r]));
  }
  Check check;
  check.node = run.node_name(node);
  check.metric = "flow balance";
  check.simulated = {worst, 0, arrivals.size()};
  check.agrees = worst == 0;
  check.note = fmt::format(
      "arrivals + present at start - completions - rejections{} - present at end, "
      "largest over replications",
      fails ? " - failed" : "");
  return check;
}

}  // namespace

bool Validation::passed() const {
  return std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.agrees; });
}

std::size_t Validation::judged_count() const {
  return static_cast<std::size_t>(
      std::count_if(checks.begin(), checks.end(), [](const Check& c) { return c.judged; }));
}

Validation validate(const Scenario& scenario, const RunResult& result, double family_confidence) {
  const Run run{scenario, result};
  Validation validation;
  validation.family_confidence = family_confidence;
  TheoryPlan theory = plan_theory(scenario);
  validation.nodes = std::move(theory.nodes);
  validation.warnings = std::move(theory.warnings);
  const std::vector<std::string> run_warnings = result.all_warnings();
  validation.warnings.insert(validation.warnings.end(), run_warnings.begin(), run_warnings.end());

  const std::vector<LittleSite> little = little_sites(run);
  validation.check_confidence =
      check_confidence(validation.family_confidence, theory.checks, little.size());
  for (const PlannedCheck& p : theory.checks) {
    validation.checks.push_back(compare_with_theory(run, p, validation.check_confidence));
  }
  for (const LittleSite& site : little) {
    validation.checks.push_back(check_little(run, site, validation.check_confidence));
  }
  for (std::size_t i = 0; i <= run.end_to_end(); ++i) {
    const NodeSummary& node = run.summary(i);
    // Sources, sinks and forks report no requests held or rejected: nothing to balance.
    if (i < run.end_to_end() && (!node.find("in_system.start") || !node.find("rejections"))) {
      continue;
    }
    validation.checks.push_back(check_flow_balance(run, i));
  }
  return validation;
}

std::string format_validation(const Scenario& scenario, const Validation& validation) {
  std::string out = fmt::format(
      "{} ({}): seed {}, {} replications of {} s after a {} s warm-up\n"
      "A check agrees when |simulated - theory| is within its confidence interval at {}% "
      "(Bonferroni: all {} checks at {}% together); ± shows the 95% interval.\n\n",
      scenario.name, scenario.file, scenario.seed, scenario.replications,
      format_number(scenario.duration, 6), format_number(scenario.warmup, 6),
      percent_level(validation.check_confidence), validation.judged_count(),
      percent_level(validation.family_confidence));

  for (const auto& warning : validation.warnings) out += "warning: " + warning + "\n";
  if (!validation.warnings.empty()) out += "\n";

  for (const NodeTheory& node : validation.nodes) {
    out += node.model.empty() ? fmt::format("{}: {}\n", node.node, node.detail)
                              : fmt::format("{}: {}: {}\n", node.node, node.model, node.detail);
  }
  out += "\n";

  TextTable table({"node", "metric", "simulated", "theory", "tolerance", "verdict"}, 2);
  std::size_t disagreements = 0;
  for (const Check& c : validation.checks) {
    const bool exact = c.metric == "flow balance";
    if (!c.agrees) ++disagreements;
    table.add({c.node, c.metric,
               exact ? fmt::format("{:g}", c.simulated.mean) : format_estimate(c.simulated),
               exact ? "0" : format_number(c.reference, 6),
               exact ? "exact" : (c.judged ? "± " + format_number(c.tolerance, 3) : "limit"),
               c.judged ? (c.agrees ? "ok" : "DISAGREES") : "shown"});
  }
  out += table.render();
  const std::size_t judged = validation.judged_count();
  const std::size_t shown = validation.checks.size() - judged;
  out += fmt::format("\n{} of {} checks agree{}{}\n", judged - disagreements, judged,
                     disagreements == 0 ? "" : fmt::format("; {} disagree", disagreements),
                     shown == 0 ? ""
                                : fmt::format("; {} asymptotic limit{} shown, not judged", shown,
                                              shown == 1 ? "" : "s"));
  return out;
}

}  // namespace capsim::models
