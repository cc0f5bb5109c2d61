#include "models/workflows/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/io/text_format.hpp"

namespace capsim::models {

namespace {

// Compared metrics, and whether a smaller value is an improvement.
constexpr std::pair<const char*, bool> kCompared[] = {
    {"throughput", false}, {"utilization", true},  {"rejection_ratio", true},
    {"error_ratio", true}, {"hit_ratio", false},   {"L", true},
    {"W", true},           {"Wq", true},           {"sojourn.p50", true},
    {"sojourn.p99", true}, {"sojourn.p99.9", true}};

std::size_t index_of(const Scenario& scenario, const std::string& name) {
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    if (scenario.nodes[i].name == name) return i;
  }
  return scenario.nodes.size();  // end to end
}

}  // namespace

Comparison compare_runs(const Scenario& base, const RunResult& base_result,
                        const Scenario& candidate, const RunResult& candidate_result) {
  Comparison comparison;
  std::vector<std::string> nodes;
  for (const auto& node : base.nodes) {
    if (index_of(candidate, node.name) < candidate.nodes.size()) nodes.push_back(node.name);
  }
  nodes.push_back("end to end");

  bool better = false, worse = false;
  for (const std::string& name : nodes) {
    const std::size_t b = name == "end to end" ? base.nodes.size() : index_of(base, name);
    const std::size_t c = name == "end to end" ? candidate.nodes.size() : index_of(candidate, name);
    const NodeSummary& base_summary =
        b < base.nodes.size() ? base_result.nodes[b] : base_result.system;
    const NodeSummary& candidate_summary =
        c < candidate.nodes.size() ? candidate_result.nodes[c] : candidate_result.system;
    for (const auto& [metric, lower_is_better] : kCompared) {
      if (!base_summary.find(metric) || !candidate_summary.find(metric)) continue;
      const auto x = per_replication(base_result, b, metric);
      const auto y = per_replication(candidate_result, c, metric);
      std::vector<double> difference(x.size());
      for (std::size_t r = 0; r < x.size(); ++r) difference[r] = y[r] - x[r];
      MetricDifference d{name,
                         metric,
                         *base_summary.find(metric),
                         *candidate_summary.find(metric),
                         sim::estimate(difference, base_result.confidence),
                         lower_is_better,
                         ""};
      if (!std::isfinite(d.difference.mean) || !std::isfinite(d.difference.half_width) ||
          std::fabs(d.difference.mean) <= d.difference.half_width) {
        d.verdict = "no significant change";
      } else {
        const bool improved = (d.difference.mean < 0) == lower_is_better;
        d.verdict = improved ? "better" : "worse";
        (improved ? better : worse) = true;
      }
      comparison.metrics.push_back(d);
    }
  }
  comparison.verdict = better && worse ? "mixed"
                       : better        ? "better"
                       : worse         ? "worse"
                                       : "no significant change";
  return comparison;
}

std::string format_comparison(const Comparison& comparison) {
  TextTable table({"node", "metric", "base", "candidate", "difference (95% CI)", "verdict"}, 2);
  for (const auto& d : comparison.metrics) {
    table.add({d.node, d.metric, format_estimate(d.base), format_estimate(d.candidate),
               format_estimate(d.difference), d.verdict});
  }
  return table.render() + fmt::format("\nverdict: the candidate is {}\n",
                                      comparison.verdict == "no significant change"
                                          ? "not significantly different"
                                          : comparison.verdict);
}

Json comparison_json(const Comparison& comparison) {
  auto number = [](double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); };
  Json metrics = Json::array();
  for (const auto& d : comparison.metrics) {
    metrics.push_back({{"node", d.node},
                       {"metric", d.metric},
                       {"base", number(d.base.mean)},
                       {"candidate", number(d.candidate.mean)},
                       {"difference", number(d.difference.mean)},
                       {"half_width", number(d.difference.half_width)},
                       {"lower_is_better", d.lower_is_better},
                       {"verdict", d.verdict}});
  }
  return Json{{"verdict", comparison.verdict}, {"metrics", std::move(metrics)}};
}

}  // namespace capsim::models
