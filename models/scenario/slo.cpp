#include "models/scenario/slo.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/io/text_format.hpp"
#include "models/scenario/replication.hpp"
#include "models/scenario/scenario.hpp"

namespace capsim::models {

namespace {

const char* kEndToEnd = "end to end";

}  // namespace

std::vector<std::vector<std::string>> reported_metrics(const Scenario& scenario) {
  Replication network(scenario, 0);
  const ReplicationResult empty = network.collect();
  std::vector<std::vector<std::string>> names;
  for (const auto& node : empty.nodes) {
    names.emplace_back();
    for (const auto& metric : node.values) names.back().push_back(metric.name);
  }
  names.emplace_back();
  for (const auto& metric : empty.system.values) names.back().push_back(metric.name);
  return names;
}

std::string Slo::describe() const {
  return fmt::format("{} {} {} at {}", metric, is_max ? "<=" : ">=", format_number(threshold, 6),
                     node);
}

std::vector<Slo> read_slos(const Json& document, const Scenario& scenario) {
  std::vector<Slo> slos;
  const auto it = document.find("slo");
  if (it == document.end()) return slos;
  const Where at = Where(scenario.file) / "slo";
  if (!it->is_array())
    at.fail_value(*it,
                  "a list of objectives such as {\"node\": \"done\", \"metric\": \"sojourn.p99\", "
                  "\"max\": 0.25}");
  std::vector<std::string> node_names;
  for (const auto& node : scenario.nodes) node_names.push_back(node.name);
  const auto metrics = reported_metrics(scenario);

  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& entry = (*it)[i];
    const Where where = at / i;
    require_object(entry, where,
                   "an objective such as {\"metric\": \"sojourn.p99\", \"max\": 0.25}");
    check_keys(entry, where, {"node", "metric", "max", "min", "description"});
    Slo slo;
    slo.node = read_optional_string(entry, "node", where).value_or(kEndToEnd);
    if (slo.node == kEndToEnd) {
      slo.node_index = scenario.nodes.size();
    } else {
      const auto found = std::find(node_names.begin(), node_names.end(), slo.node);
      if (found == node_names.end()) {
        std::string expected = "a node name (" + one_of(node_names) + ") or \"end to end\"";
        if (auto guess = did_you_mean(slo.node, node_names))
          expected += fmt::format(" (did you mean \"{}\"?)", *guess);
        (where / "node").fail_value(entry["node"], expected);
      }
      slo.node_index = static_cast<std::size_t>(found - node_names.begin());
    }
    slo.metric = read_string(entry, "metric", where);
    const auto& reported = metrics[slo.node_index];
    if (std::find(reported.begin(), reported.end(), slo.metric) == reported.end()) {
      std::string expected = fmt::format("a metric {} reports: {}", slo.node, one_of(reported));
      if (auto guess = did_you_mean(slo.metric, reported))
        expected += fmt::format(" (did you mean \"{}\"?)", *guess);
      (where / "metric").fail_value(entry["metric"], expected);
    }
    const auto max = read_optional_number(entry, "max", where, Range{});
    const auto min = read_optional_number(entry, "min", where, Range{});
    if (max.has_value() == min.has_value()) {
      where.fail(max ? "both \"max\" and \"min\"" : "neither \"max\" nor \"min\"",
                 "exactly one threshold: \"max\" (metric <= max) or \"min\" (metric >= min)");
    }
    slo.is_max = max.has_value();
    slo.threshold = max ? *max : *min;
    slos.push_back(slo);
  }
  return slos;
}

}  // namespace capsim::models
