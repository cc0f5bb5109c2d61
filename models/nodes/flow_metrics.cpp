#include "models/nodes/flow_metrics.hpp"

#include <limits>

namespace capsim::models {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

void add_flow_metrics(Metrics& out, const FlowCounts& flow, double window,
                      const FlowReport& report) {
  const auto arrivals = static_cast<double>(flow.arrivals);
  const auto completions = static_cast<double>(flow.completions);
  const auto rejections = static_cast<double>(flow.rejections);
  out.add({"arrivals", arrivals});
  if (report.admitted) {
    out.add({"admitted", static_cast<double>(*report.admitted)});
    out.add({"rejections", rejections});
    out.add({"completions", completions});
  } else {
    out.add({"completions", completions});
    out.add({"rejections", rejections});
  }
  out.add({"in_system.start", static_cast<double>(flow.held_at_start)});
  out.add({"in_system.end", static_cast<double>(flow.held)});
  out.add({"arrival_rate", arrivals / window});
  if (report.admitted) out.add({"admitted_rate", static_cast<double>(*report.admitted) / window});
  const auto served = report.rejections_are_replies
                          ? static_cast<double>(flow.completions + flow.rejections)
                          : completions;
  out.add({"throughput", served / window});
  if (report.can_reject) {
    out.add({"rejection_ratio", flow.arrivals > 0 ? rejections / arrivals : kNaN});
  }
}

void add_sojourn_metrics(Metrics& out, double mean_held, const Latencies& sojourns) {
  out.add({"L", mean_held});
  out.add({"W", sojourns.tally.mean()});
  out.add_latency("sojourn", sojourns.histogram);
}

void add_queue_metrics(Metrics& out, const QueueMeasures& queue) {
  out.add({"utilization", queue.utilization});
  out.add({"L", queue.mean_held});
  out.add({"Lq", queue.mean_queued});
  out.add({"W", queue.sojourns.tally.mean()});
  out.add({"Wq", queue.waits.tally.mean()});
  out.add({"p_wait", queue.started > 0
                         ? static_cast<double>(queue.waited) / static_cast<double>(queue.started)
                         : kNaN});
  out.add_latency("wait", queue.waits.histogram);
  out.add_latency("sojourn", queue.sojourns.histogram);
}

}  // namespace capsim::models
