#include "models/message_queue.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/fork_join.hpp"
#include "models/network.hpp"
#include "models/report.hpp"
#include "models/theory_analysis.hpp"

namespace capsim::models {

MessageQueue::MessageQueue(Network& network, std::string name) : Node(network, std::move(name)) {}

void MessageQueue::accept(RequestId caller) {
  const double now = network_.simulator().now();
  ++arrivals_;
  const RequestId message = network_.create_internal(*this);
  {
    Request& request = network_.requests()[message];
    const Request& from = network_.requests()[caller];
    request.request_class = from.request_class;
    request.key = from.key;
    request.size = from.size;
    // No service yet: consumer_lag counts only messages some station started serving.
    request.service_start = std::numeric_limits<double>::quiet_NaN();
  }
  number_outstanding_.set(now, static_cast<double>(++outstanding_));
  // Enqueue, then acknowledge: at the same instant, in that order.
  targets()[1]->accept(message);
  forward(caller);
}

void MessageQueue::request_left(RequestId id, bool completed) {
  const double now = network_.simulator().now();
  const Request& message = network_.requests()[id];
  if (completed) {
    ++completions_;
    processing_delay_.add(now - message.created);
    processing_delay_histogram_.add(now - message.created);
    if (!std::isnan(message.service_start)) {
      consumer_lag_.add(message.service_start - message.created);
    }
  } else {
    ++rejections_;
  }
  number_outstanding_.set(now, static_cast<double>(--outstanding_));
}

void MessageQueue::reset_statistics() {
  const double now = network_.simulator().now();
  arrivals_ = completions_ = rejections_ = 0;
  outstanding_at_start_ = outstanding_;
  number_outstanding_.reset(now);
  processing_delay_.reset();
  processing_delay_histogram_.reset();
  consumer_lag_.reset();
}

void MessageQueue::collect(Metrics& out) const {
  const double now = network_.simulator().now();
  const double window = now - network_.window_start();
  const auto arrivals = static_cast<double>(arrivals_);
  out.add({"arrivals", arrivals});
  out.add({"completions", static_cast<double>(completions_)});
  out.add({"rejections", static_cast<double>(rejections_)});
  out.add({"in_system.start", static_cast<double>(outstanding_at_start_)});
  out.add({"in_system.end", static_cast<double>(outstanding_)});
  out.add({"arrival_rate", arrivals / window});
  out.add({"throughput", static_cast<double>(completions_) / window});
  out.add({"rejection_ratio", arrivals > 0 ? static_cast<double>(rejections_) / arrivals
                                           : std::numeric_limits<double>::quiet_NaN()});
  out.add({"L", number_outstanding_.mean(now)});
  out.add({"W", processing_delay_.mean()});
  out.add_latency("sojourn", processing_delay_histogram_);
  out.add({"consumer_lag", consumer_lag_.mean()});
}

AsyncConfig read_async(const Json& node, const Where& where) {
  const auto to = node.find("to");
  if (to != node.end() && to->is_array() && to->size() != 2) {
    (where / "to")
        .fail(fmt::format("a list of {} names", to->size()),
              "a list of exactly two node names [ack, consumer]: where the caller continues, "
              "and where the message goes");
  }
  return {};
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name, const AsyncConfig&) {
  return std::make_unique<MessageQueue>(network, name);
}

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
