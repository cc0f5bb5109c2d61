#include "models/nodes/message_queue.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/io/text_format.hpp"
#include "models/nodes/fork_join.hpp"
#include "models/nodes/network.hpp"

namespace capsim::models {

MessageQueue::MessageQueue(Network& network, std::string name) : Node(network, std::move(name)) {}

void MessageQueue::accept(RequestId caller) {
  const double now = network_.simulator().now();
  ++flow_.arrivals;
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
  number_outstanding_.set(now, static_cast<double>(++flow_.held));
  // Enqueue, then acknowledge: at the same instant, in that order.
  targets()[1]->accept(message);
  forward(caller);
}

void MessageQueue::request_left(RequestId id, bool completed) {
  const double now = network_.simulator().now();
  const Request& message = network_.requests()[id];
  if (completed) {
    ++flow_.completions;
    processing_delays_.add(now - message.created);
    if (!std::isnan(message.service_start)) {
      consumer_lag_.add(message.service_start - message.created);
    }
  } else {
    ++flow_.rejections;
  }
  number_outstanding_.set(now, static_cast<double>(--flow_.held));
}

void MessageQueue::reset_statistics() {
  const double now = network_.simulator().now();
  flow_.reset();
  number_outstanding_.reset(now);
  processing_delays_.reset();
  consumer_lag_.reset();
}

void MessageQueue::collect(Metrics& out) const {
  const double now = network_.simulator().now();
  const double window = now - network_.window_start();
  add_flow_metrics(out, flow_, window);
  add_sojourn_metrics(out, number_outstanding_.mean(now), processing_delays_);
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

}  // namespace capsim::models
