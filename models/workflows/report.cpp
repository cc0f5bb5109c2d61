#include "models/workflows/report.hpp"

#include <fmt/format.h>

#include <cmath>

namespace capsim::models {

namespace {

std::string cell(const NodeSummary& node, std::string_view metric) {
  const sim::Estimate* estimate = node.find(metric);
  return estimate ? format_estimate(*estimate) : "";
}

// A ratio as a percentage: "rejection_ratio" in the rejected column, "error_ratio" in failed.
std::string percent_cell(const NodeSummary& node, std::string_view metric) {
  const sim::Estimate* ratio = node.find(metric);
  if (ratio == nullptr) return "";
  sim::Estimate percent = *ratio;
  percent.mean *= 100;
  percent.half_width *= 100;
  return format_estimate(percent) + " %";
}

// JSON has no NaN or infinity: null stands for "not measured".
Json number(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

Json estimate_json(const sim::Estimate& estimate) {
  Json out = Json::object();
  out["mean"] = number(estimate.mean);
  out["half_width"] = number(estimate.half_width);
  out["low"] = number(estimate.low());
  out["high"] = number(estimate.high());
  return out;
}

Json node_json(const NodeSummary& node) {
  Json out = Json::object();
  out["name"] = node.name;
  out["type"] = node.type;
  Json metrics = Json::object();
  for (std::size_t m = 0; m < node.metrics.size(); ++m) {
    metrics[node.metrics[m]] = estimate_json(node.estimates[m]);
  }
  out["metrics"] = std::move(metrics);
  return out;
}

}  // namespace

std::string format_table(const Scenario& scenario, const RunResult& result) {
  std::string out = fmt::format(
      "{} ({}): seed {}, {} replications{} of {} s after a {} s warm-up; ± is the {:g}% "
      "confidence interval\n\n",
      scenario.name, scenario.file, scenario.seed, result.replications.size(),
      result.precision ? precision_clause(*result.precision) : "",
      format_number(scenario.duration, 6), format_number(scenario.warmup, 6),
      100 * result.confidence);

  std::vector<const NodeSummary*> rows;
  for (const auto& node : result.nodes) rows.push_back(&node);
  rows.push_back(&result.system);

  // End to end with error sinks: the requests that ended at one, beside the rejected.
  const bool failures = result.system.find("error_ratio") != nullptr;
  std::vector<std::string> columns = {"node", "type", "arrivals/s", "throughput/s", "rejected"};
  if (failures) columns.push_back("failed");
  columns.push_back("utilization");
  TextTable flow(columns, 2);
  for (const NodeSummary* node : rows) {
    std::vector<std::string> row = {node->name, node->type, cell(*node, "arrival_rate"),
                                    cell(*node, "throughput"),
                                    percent_cell(*node, "rejection_ratio")};
    if (failures) row.push_back(percent_cell(*node, "error_ratio"));
    row.push_back(cell(*node, "utilization"));
    flow.add(row);
  }
  out += flow.render() + "\n";

  TextTable queueing({"node", "L", "Lq", "W (s)", "Wq (s)", "P(wait > 0)"});
  for (const NodeSummary* node : rows) {
    if (node->find("L") == nullptr) continue;
    queueing.add({node->name, cell(*node, "L"), cell(*node, "Lq"), cell(*node, "W"),
                  cell(*node, "Wq"), cell(*node, "p_wait")});
  }
  out += queueing.render() + "\n";

  std::vector<std::string> header = {"percentiles (s)", ""};
  for (const auto& [level, suffix] : kPercentiles) header.push_back(suffix);
  TextTable percentiles(header, 2);
  for (const NodeSummary* node : rows) {
    for (const char* what : {"wait", "sojourn", "sojourn_failed"}) {
      if (node->find(std::string(what) + ".p50") == nullptr) continue;
      std::vector<std::string> row = {node->name, what};
      for (const auto& [level, suffix] : kPercentiles) {
        row.push_back(cell(*node, std::string(what) + "." + suffix));
      }
      percentiles.add(row);
    }
  }
  out += percentiles.render();

  // What caches, limiters, retries, breakers and failing servers are for, which the tables above
  // do not show; the JSON result has every metric.
  static const char* const kComponentMetrics[] = {
      "hit_ratio",      "hit_ratio.top1pct", "hit_ratio.top10pct",
      "hit_ratio.rest", "admitted_rate",     "offered_load",
      "goodput",        "W_failed",          "timeout_ratio",
      "open_fraction",  "availability",      "wasted_utilization"};
  TextTable components({"node", "metric", "value"}, 2);
  bool any = false;
  for (const NodeSummary* node : rows) {
    for (const char* metric : kComponentMetrics) {
      if (node->find(metric) == nullptr) continue;
      components.add({node->name, metric, cell(*node, metric)});
      any = true;
    }
  }
  if (any) {
    out += '\n';
    out += components.render();
  }
  if (result.precision) out += '\n' + format_reached(*result.precision);
  const std::vector<std::string> warnings = result.all_warnings();
  if (!warnings.empty()) out += '\n';
  for (const auto& warning : warnings) out += "warning: " + warning + "\n";
  return out;
}

Json to_json(const Scenario& scenario, const RunResult& result) {
  Json out = Json::object();
  out["capsim"] = {{"version", version()}, {"git_revision", git_revision()}};
  out["scenario"] = scenario.effective;
  out["file"] = scenario.file;
  out["seed"] = scenario.seed;
  out["replications"] = result.replications.size();
  if (result.precision) out["precision"] = precision_json(*result.precision);
  out["warmup"] = scenario.warmup;
  out["duration"] = scenario.duration;
  out["confidence"] = result.confidence;
  out.update(results_json(result));
  return out;
}


Json results_json(const RunResult& result) {
  Json out = Json::object();
  Json nodes = Json::array();
  for (const auto& node : result.nodes) nodes.push_back(node_json(node));
  out["nodes"] = std::move(nodes);
  out["end_to_end"] = node_json(result.system)["metrics"];
  const IntervalDiagnostic& diagnostic = result.diagnostic;
  out["interval_diagnostic"] = {{"reliable", diagnostic.reliable()},
                                {"sojourn_batch_lag1", number(diagnostic.batch_lag1)},
                                {"sojourn_largest_batch_z", number(diagnostic.largest_batch_z)},
                                {"warnings", diagnostic.warnings}};
  out["warnings"] = result.warnings;
  return out;
}

}  // namespace capsim::models
