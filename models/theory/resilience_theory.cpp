// validate for the resilience features: retry and breaker nodes, and stations whose servers fail.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "models/io/text_format.hpp"
#include "models/nodes/failures.hpp"
#include "models/nodes/resilience.hpp"
#include "models/theory/analysis.hpp"
#include "sim/analytic/breakdowns.hpp"
#include "sim/analytic/queueing.hpp"

namespace capsim::models {

namespace {

// P(S > t) for the M/M/c sojourn time S, by inverting analytic::mmc_sojourn_quantile (the sojourn
// has a continuous, strictly increasing distribution function, so bisection on the level finds
// the one whose quantile is t).
double mmc_sojourn_tail(double lambda, double mu, int servers, double t) {
  double low = 0, high = 1;
  for (int step = 0; step < 64; ++step) {
    const double level = (low + high) / 2;
    if (level <= 0 || level >= 1) break;
    (analytic::mmc_sojourn_quantile(lambda, mu, servers, level) < t ? low : high) = level;
  }
  return 1 - (low + high) / 2;
}

// E[S 1{W + S > T}] at an M/M/c FCFS station: the service time of a call that times out, all of
// it wasted since the server finishes the call anyway. W and S are independent; W is 0 with
// probability 1 - C(c, a) and otherwise exponential at rate c mu - lambda; S is exponential at mu.
double mmc_timed_out_service(double lambda, double mu, int servers, double timeout) {
  // E[S 1{S <= a}] = (1 - e^(-mu a) (1 + mu a)) / mu, 0 for a <= 0.
  auto served_within = [mu](double a) {
    return a <= 0 ? 0.0 : -std::expm1(-mu * a) / mu - a * std::exp(-mu * a);
  };
  const double p_wait = analytic::erlang_c(servers, lambda / mu);
  const double theta = servers * mu - lambda;
  // E[served_within(T - W) | W > 0] by composite Simpson: a smooth integrand on [0, T], so 2000
  // intervals leave an error far below the simulation's.
  constexpr int kIntervals = 2000;
  const double h = timeout / kIntervals;
  double integral = 0;
  for (int i = 0; i <= kIntervals; ++i) {
    const double w = i * h;
    const double weight = (i == 0 || i == kIntervals) ? 1 : (i % 2 == 1 ? 4 : 2);
    integral += weight * theta * std::exp(-theta * w) * served_within(timeout - w);
  }
  integral *= h / 3;
  return 1 / mu - (1 - p_wait) * served_within(timeout) - p_wait * integral;
}

// The station the calls go to, if it is a lone FIFO M/M/c station with unlimited capacity and
// reliable servers, fed by these calls only, whose departures all go to sinks: then a call's
// reply time is that station's sojourn. Otherwise why not.
const StationConfig* lone_mmc_service(const AnalysisContext& context, std::string& why_not) {
  const Scenario& scenario = context.scenario;
  const std::size_t service = context.spec.targets[0];
  const NodeSpec& spec = scenario.nodes[service];
  const auto* station = std::get_if<StationConfig>(&spec.config);
  if (station == nullptr) {
    why_not = fmt::format("its calls go to {}, not to a station", spec.name);
    return nullptr;
  }
  const bool fed_only_from_here =
      std::none_of(scenario.nodes.begin(), scenario.nodes.end(), [&](const NodeSpec& other) {
        return &other != &context.spec && std::find(other.targets.begin(), other.targets.end(),
                                                    service) != other.targets.end();
      });
  const bool then_replies = std::all_of(
      spec.targets.begin(), spec.targets.end(),
      [&](std::size_t t) { return std::holds_alternative<SinkConfig>(scenario.nodes[t].config); });
  if (!fed_only_from_here || !then_replies) {
    why_not = fmt::format("the reply time is not the sojourn at {} alone", spec.name);
    return nullptr;
  }
  if (station->capacity || station->failures || classes_matter(*station) ||
      station->service.kind() != sim::Distribution::Kind::exponential) {
    why_not = fmt::format("{} is not an M/M/c station with unlimited capacity and reliable servers",
                          spec.name);
    return nullptr;
  }
  return station;
}

// The flows a call node sends on: [calls, successful callers, failed callers].
std::vector<Flow> call_outputs(const AnalysisContext& context, const Flow& calls) {
  const std::string& name = context.spec.name;
  std::vector<Flow> outputs = {
      calls,
      Flow{context.input.rate, false, fmt::format("replies through {} are not Poisson", name)}};
  if (context.spec.targets.size() > 2) {
    outputs.push_back(Flow{0, false, fmt::format("failed calls of {} are not Poisson", name)});
  }
  return outputs;
}

}  // namespace

Analysis analyse(const RetryConfig& config, const AnalysisContext& context) {
  const NodeSpec& spec = context.spec;
  const Flow& input = context.input;
  Analysis analysis;
  analysis.theory = {spec.name, "", ""};
  const bool retries = !config.attempts || *config.attempts > 1;
  if (retries) {
    // Retries of timed-out calls add load exactly when the service is slow: a feedback loop
    // with no closed form (the heart of a retry storm).
    analysis.theory.detail =
        "no closed form: retries of failed and timed-out calls make the load on the service "
        "depend on its own latency";
    analysis.outputs = call_outputs(
        context, Flow{input.rate, false,
                      fmt::format("retry node {} resends failed and timed-out calls, so its calls "
                                  "depend on the service's latency",
                                  spec.name)});
    return analysis;
  }
  // One call per caller, sent on arrival: the calls are the callers' very stream.
  analysis.outputs = call_outputs(context, input);
  std::string why_not;
  if (!config.timeout) {
    analysis.theory.detail = "no closed form for a single call without a timeout";
  } else if (!input.poisson) {
    analysis.theory.detail = "no closed form: arrivals are not Poisson (" + input.why_not + ")";
  } else if (const StationConfig* station = lone_mmc_service(context, why_not); !station) {
    analysis.theory.detail = "no closed form: " + why_not;
  } else {
    const double mu = 1 / station->service.mean();
    const int c = station->servers;
    if (input.rate >= mu * c) {
      analysis.theory.detail = "no closed form: the service is unstable";
    } else {
      // A call times out when its sojourn at the station exceeds the timeout; the station itself
      // is a plain M/M/c queue, since abandoned calls are still served.
      const double timeout_probability = mmc_sojourn_tail(input.rate, mu, c, *config.timeout);
      analysis.theory.model = fmt::format("single call with timeout into M/M/{}", c);
      analysis.theory.detail = fmt::format(
          "Poisson calls at {}/s into {}: P(timeout) = P(sojourn > {} s) = {} (M/M/{} sojourn "
          "tail); goodput = lambda (1 - P(timeout))",
          format_number(input.rate, 6), context.scenario.nodes[spec.targets[0]].name,
          format_number(*config.timeout, 6), format_number(timeout_probability, 6), c);
      const double goodput = input.rate * (1 - timeout_probability);
      const double wasted =
          input.rate * mmc_timed_out_service(input.rate, mu, c, *config.timeout) / c;
      analysis.theory.detail += fmt::format(
          "; at {} the replies of timed-out calls are late, so its goodput is the same, and its "
          "wasted utilization lambda E[S 1(W + S > timeout)] / c = {} (W and S independent)",
          context.scenario.nodes[spec.targets[0]].name, format_number(wasted, 6));
      const std::size_t service = spec.targets[0];
      analysis.checks.push_back({context.index, "timeout_ratio", timeout_probability});
      analysis.checks.push_back({context.index, "goodput", goodput});
      analysis.checks.push_back({service, "goodput", goodput});
      analysis.checks.push_back({service, "wasted_utilization", wasted});
    }
  }
  return analysis;
}

Analysis analyse(const BreakerConfig&, const AnalysisContext& context) {
  Analysis analysis;
  analysis.theory = {context.spec.name, "",
                     "no closed form: the breaker lets calls through depending on the outcomes "
                     "of recent calls"};
  analysis.outputs = call_outputs(
      context, Flow{context.input.rate, false,
                    fmt::format("breaker {} sheds calls while open", context.spec.name)});
  return analysis;
}

namespace {

// The long-run fraction of time up is MTTF / (MTTF + MTTR) for any distributions (renewal-
// reward). The window average converges to it unless the up/down cycle is periodic (both
// times lattice-valued), when it depends on where the window starts.
void plan_availability(Analysis& analysis, const AnalysisContext& context,
                       const FailureConfig& failures) {
  auto continuous = [](const sim::Distribution& d) {
    return d.kind() != sim::Distribution::Kind::deterministic &&
           d.kind() != sim::Distribution::Kind::empirical && d.scv() > 0;
  };
  if (continuous(failures.time_to_failure) || continuous(failures.time_to_repair)) {
    analysis.checks.push_back({context.index, "availability", availability(failures)});
  } else {
    analysis.warnings.push_back(fmt::format(
        "station {}: up and down times are both lattice-valued, so the up/down cycle is periodic "
        "and the measured availability depends on the window's phase; not checked",
        context.spec.name));
  }
}

// Why the M/M/c-with-breakdowns solution does not apply; empty when it does.
std::string breakdown_model_obstacle(const StationConfig& station, const Flow& input) {
  const auto exponential = [](const sim::Distribution& d) {
    return d.kind() == sim::Distribution::Kind::exponential;
  };
  if (!input.poisson) return "arrivals are not Poisson (" + input.why_not + ")";
  if (classes_matter(station)) return "request classes change the service";
  if (!exponential(station.service) || !exponential(station.failures->time_to_failure) ||
      !exponential(station.failures->time_to_repair)) {
    return "service, up and down times are not all exponential";
  }
  return "";
}

void plan_breakdown_metrics(Analysis& analysis, std::size_t i, const StationConfig& station,
                            const analytic::BreakdownMetrics& m) {
  const bool requeue = station.failures->lost == LostRequest::requeue;
  analysis.checks.push_back({i, "throughput", m.throughput});
  analysis.checks.push_back({i, "utilization", m.utilization});
  analysis.checks.push_back({i, "L", m.L});
  analysis.checks.push_back({i, "Lq", m.Lq});
  if (requeue) analysis.checks.push_back({i, "W", m.W});
  if (station.capacity || !requeue) {
    analysis.checks.push_back({i, "rejection_ratio", m.rejection_ratio});
  }
}

}  // namespace

Analysis analyse_station_with_failures(const StationConfig& station,
                                       const AnalysisContext& context) {
  const NodeSpec& spec = context.spec;
  const Flow& input = context.input;
  const FailureConfig& failures = *station.failures;
  const double mttf = failures.time_to_failure.mean();
  const double mttr = failures.time_to_repair.mean();
  const double available = availability(failures);
  const int c = station.servers;
  const double mean_service = station.service.mean();
  const bool requeue = failures.lost == LostRequest::requeue;

  Analysis analysis;
  analysis.theory = {spec.name, "", ""};
  analysis.outputs =
      split(Flow{input.rate, false,
                 fmt::format("departures of {}, whose servers fail, are not Poisson", spec.name)},
            spec);
  const std::string uptime = fmt::format(
      "each server up for {} (mean {} s), then down for {} (mean {} s): availability = MTTF / "
      "(MTTF + MTTR) = {}",
      failures.time_to_failure.name(), format_number(mttf, 6), failures.time_to_repair.name(),
      format_number(mttr, 6), format_number(available, 6));
  plan_availability(analysis, context, failures);
  if (requeue && !station.capacity && input.rate * mean_service >= c * available) {
    analysis.warnings.push_back(fmt::format(
        "station {} is unstable: offered load {} erlangs on {} server(s) that are up {} of the "
        "time (load per available server >= 1) with no capacity limit",
        spec.name, format_number(input.rate * mean_service), c, format_number(available)));
    analysis.theory.detail = "no closed form: unstable; " + uptime;
    return analysis;
  }
  if (const std::string why_not = breakdown_model_obstacle(station, input); !why_not.empty()) {
    analysis.theory.detail = "no closed form for the queue: " + why_not + "; " + uptime;
    return analysis;
  }

  analytic::BreakdownMetrics m;
  try {
    m = analytic::mmc_with_breakdowns(
        input.rate, 1 / mean_service, c,
        station.capacity ? std::optional<int>(static_cast<int>(*station.capacity)) : std::nullopt,
        1 / mttf, 1 / mttr, requeue ? analytic::Interrupted::requeue : analytic::Interrupted::drop);
  } catch (const std::exception& error) {
    analysis.theory.detail = fmt::format("no closed form computed ({}); {}", error.what(), uptime);
    return analysis;
  }
  analysis.theory.model =
      fmt::format("M/M/{}{} with server breakdowns ({})", c,
                  station.capacity ? fmt::format("/{}", *station.capacity) : "",
                  requeue ? "interrupted requests requeued" : "interrupted requests dropped");
  analysis.theory.detail = fmt::format(
      "Poisson arrivals at {}/s, exponential service with mean {} s; {}; solved as a "
      "quasi-birth-death process on (requests, servers up)",
      format_number(input.rate, 6), format_number(mean_service, 6), uptime);
  plan_breakdown_metrics(analysis, context.index, station, m);
  return analysis;
}

std::optional<std::vector<double>> routing_fractions(const RetryConfig&, const NodeSpec&) {
  return std::nullopt;
}
std::optional<std::vector<double>> routing_fractions(const BreakerConfig&, const NodeSpec&) {
  return std::nullopt;
}

}  // namespace capsim::models
