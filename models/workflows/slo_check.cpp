#include "models/workflows/slo_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/io/text_format.hpp"

namespace capsim::models {

namespace {

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
