#include <fmt/format.h>

#include <algorithm>

#include "models/io/text_format.hpp"
#include "models/nodes/message_queue.hpp"
#include "models/theory/analysis.hpp"

namespace capsim::models {

std::optional<std::vector<double>> routing_fractions(const AsyncConfig&, const NodeSpec&) {
  return std::vector<double>{1.0, 1.0};
}

Analysis analyse(const AsyncConfig&, const AnalysisContext& context) {
  const Scenario& scenario = context.scenario;
  const NodeSpec& spec = context.spec;
  const Flow& input = context.input;
  Analysis analysis;
  analysis.theory = {spec.name, "", ""};
  // The messages are created one per caller, at the callers' arrival instants: the consumer sees
  // the very stream that arrives here (Poisson if it is), and so does the ack route, unless the
  // two routes meet again (two copies of one stream together are not Poisson).
  Flow copy = input;
  if (const auto meet = where_copies_meet(scenario, spec.targets, std::nullopt);
      meet && copy.poisson) {
    copy.poisson = false;
    copy.why_not = fmt::format("the ack and message routes of {} meet again at {}", spec.name,
                               scenario.nodes[*meet].name);
  }
  analysis.outputs = {copy, copy};

  const std::size_t consumer = spec.targets[1];
  const NodeSpec& consumer_spec = scenario.nodes[consumer];
  const auto* station = std::get_if<StationConfig>(&consumer_spec.config);
  const bool fed_only_from_here =
      std::none_of(scenario.nodes.begin(), scenario.nodes.end(), [&](const NodeSpec& other) {
        return &other != &spec && std::find(other.targets.begin(), other.targets.end(), consumer) !=
                                      other.targets.end();
      });
  const bool then_done = std::all_of(
      consumer_spec.targets.begin(), consumer_spec.targets.end(),
      [&](std::size_t t) { return std::holds_alternative<SinkConfig>(scenario.nodes[t].config); });
  if (station == nullptr || !fed_only_from_here || !then_done) {
    analysis.theory.detail = fmt::format(
        "messages enqueued at {}/s; no closed form for their processing delay unless "
        "the consumer is a station fed only from here that sends to a sink",
        format_number(input.rate, 6));
    return analysis;
  }
  // The consumer's own analysis, from its own vantage point: its W, Wq and L are the messages'
  // processing delay, consumer lag and backlog.
  const Analysis consumer_analysis =
      analyse(*station, AnalysisContext{scenario, consumer, consumer_spec, copy});
  const auto& consumer_theory = consumer_analysis.theory;
  if (consumer_theory.model.empty()) {
    analysis.theory.detail =
        fmt::format("messages enqueued at {}/s; consumer {}: {}", format_number(input.rate, 6),
                    consumer_spec.name, consumer_theory.detail);
    return analysis;
  }
  analysis.theory.model = "message queue into " + consumer_theory.model;
  analysis.theory.detail = fmt::format(
      "messages enqueued at {}/s; processing delay W = W of {}, consumer_lag = its Wq, backlog L "
      "= its L",
      format_number(input.rate, 6), consumer_spec.name);
  for (const PlannedCheck& check : consumer_analysis.checks) {
    std::string metric;
    if (check.metric == "throughput" || check.metric == "W" || check.metric == "L") {
      metric = check.metric;
    } else if (check.metric == "Wq") {
      metric = "consumer_lag";
    } else if (check.metric.starts_with("sojourn.")) {
      metric = check.metric;
    } else {
      continue;
    }
    analysis.checks.push_back({context.index, metric, check.theory, check.percentile});
  }
  return analysis;
}

}  // namespace capsim::models
