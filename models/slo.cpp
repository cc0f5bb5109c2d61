#include "models/slo.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/experiment.hpp"
#include "models/network.hpp"
#include "models/report.hpp"
#include "models/scenario.hpp"

namespace capsim::models {

namespace {

const char* kEndToEnd = "end to end";

// Metric names each node reports, read off a freshly built (not run) replication.
std::vector<std::vector<std::string>> metric_names(const Scenario& scenario) {
  Network network(scenario, 0);
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

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

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
  const auto metrics = metric_names(scenario);

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

std::vector<SloOutcome> evaluate_slos(const std::vector<Slo>& slos, const RunResult& result) {
  std::vector<SloOutcome> outcomes;
  for (const Slo& slo : slos) {
    SloOutcome outcome;
    outcome.slo = slo;
    const NodeSummary& node =
        slo.node_index < result.nodes.size() ? result.nodes[slo.node_index] : result.system;
    outcome.estimate = *node.find(slo.metric);
    const double low = outcome.estimate.low();
    const double high = outcome.estimate.high();
    const double sign = slo.is_max ? 1 : -1;
    if (std::isnan(outcome.estimate.mean) || std::isnan(outcome.estimate.half_width)) {
      outcome.verdict = Verdict::inconclusive;
    } else if (slo.is_max ? high <= slo.threshold : low >= slo.threshold) {
      outcome.verdict = Verdict::met;
    } else if (slo.is_max ? low > slo.threshold : high < slo.threshold) {
      outcome.verdict = Verdict::violated;
    } else {
      outcome.verdict = Verdict::inconclusive;
    }
    const double scale = slo.threshold != 0 ? std::fabs(slo.threshold) : 1;
    outcome.margin = sign * (slo.threshold - outcome.estimate.mean) / scale;
    outcomes.push_back(outcome);
  }
  return outcomes;
}

int exit_code(const std::vector<SloOutcome>& outcomes) {
  const auto count = [&](Verdict v) {
    return std::count_if(outcomes.begin(), outcomes.end(),
                         [&](const SloOutcome& o) { return o.verdict == v; });
  };
  if (count(Verdict::violated) > 0) return 1;
  if (count(Verdict::inconclusive) > 0) return 3;
  return 0;
}

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::met:
      return "met";
    case Verdict::violated:
      return "VIOLATED";
    default:
      return "inconclusive";
  }
}

std::string format_slo_table(const std::vector<SloOutcome>& outcomes) {
  TextTable table({"objective", "estimate (95% CI)", "margin", "verdict"});
  for (const auto& o : outcomes) {
    table.add({o.slo.describe(), format_estimate(o.estimate),
               fmt::format("{:+.1f}%", 100 * o.margin), verdict_name(o.verdict)});
  }
  return table.render();
}

std::string junit_report(const std::string& suite, const std::vector<SloOutcome>& outcomes) {
  const auto failures = std::count_if(outcomes.begin(), outcomes.end(), [](const SloOutcome& o) {
    return o.verdict == Verdict::violated;
  });
  const auto skipped = std::count_if(outcomes.begin(), outcomes.end(), [](const SloOutcome& o) {
    return o.verdict == Verdict::inconclusive;
  });
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format("<testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
                     xml_escape(suite), outcomes.size(), failures, skipped);
  for (const auto& o : outcomes) {
    const std::string detail = fmt::format("estimate {} (95% CI), margin {:+.1f}%",
                                           format_estimate(o.estimate), 100 * o.margin);
    xml += fmt::format("  <testcase classname=\"capsim.slo\" name=\"{}\">\n",
                       xml_escape(o.slo.describe()));
    if (o.verdict == Verdict::violated) {
      xml += fmt::format("    <failure message=\"{}\"/>\n", xml_escape("violated: " + detail));
    } else if (o.verdict == Verdict::inconclusive) {
      xml += fmt::format("    <skipped message=\"{}\"/>\n",
                         xml_escape("inconclusive, run longer: " + detail));
    } else {
      xml += fmt::format("    <system-out>{}</system-out>\n", xml_escape("met: " + detail));
    }
    xml += "  </testcase>\n";
  }
  xml += "</testsuite>\n";
  return xml;
}

}  // namespace capsim::models
