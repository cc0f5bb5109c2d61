// validate for rate limiters. With Poisson arrivals three of them have exact answers: the fixed
// window (admissions per window are min(N, n) with N Poisson), the discrete token bucket and the
// leaky bucket meter (one Markov chain embedded at the token instants), and the leaky bucket
// queue (M/D/1/K, embedded at departures). The sliding windows have no closed form; only their
// bound is shown.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <variant>
#include <vector>

#include "models/io/text_format.hpp"
#include "models/nodes/rate_limiter.hpp"
#include "models/theory/analysis.hpp"
#include "sim/analytic/rate_limit.hpp"

namespace capsim::models {

namespace {

// Past this mean number of arrivals per window the Poisson sums are not attempted.
constexpr double kMaxArrivalsPerWindow = 1e12;
// Two rates computed along different routes that agree to this relative error are one rate.
constexpr double kSameRate = 1e-9;

std::string rate_text(double rate) {
  return format_number(rate, 6) + "/s";
}

const std::string& algorithm_name(const LimiterConfig& config) {
  return limiter_algorithm_names()[static_cast<std::size_t>(config.algorithm)];
}

bool counts_windows(const LimiterConfig& config) {
  return config.algorithm == LimiterAlgorithm::fixed_window ||
         config.algorithm == LimiterAlgorithm::sliding_window_log ||
         config.algorithm == LimiterAlgorithm::sliding_window_counter;
}

// The long-run admitted rate no algorithm can exceed, whatever the arrivals: a window algorithm
// admits at most `limit` per window (the sliding counter too, as its estimate counts the current
// window in full), a bucket at most one request per token or leak.
double admitted_bound(const LimiterConfig& config, double arrival_rate) {
  return std::min(arrival_rate, counts_windows(config)
                                    ? static_cast<double>(config.limit) / config.window
                                    : config.rate);
}

std::string bound_text(const LimiterConfig& config) {
  if (counts_windows(config)) {
    return fmt::format("min(lambda, limit / window) = min(lambda, {})",
                       rate_text(static_cast<double>(config.limit) / config.window));
  }
  return fmt::format("min(lambda, rate) = min(lambda, {})", rate_text(config.rate));
}

// The flows a limiter sends on: admitted to its first target, rejected to its second if any.
// Neither is Poisson: whether a request passes depends on the ones before it.
void set_outputs(Analysis& analysis, const AnalysisContext& context, double admitted_rate,
                 const std::string& how) {
  const std::string& name = context.spec.name;
  analysis.outputs.push_back(
      {admitted_rate, false,
       fmt::format("admissions of limiter {} ({}) are not Poisson", name, how)});
  if (context.spec.targets.size() > 1) {
    // An unknown (NaN) rate stays unknown; std::max would turn it into 0.
    const double rejected_rate = context.input.rate - admitted_rate;
    analysis.outputs.push_back(
        {std::isnan(rejected_rate) ? rejected_rate : std::max(0.0, rejected_rate), false,
         fmt::format("rejections of limiter {} ({}) are not Poisson", name, how)});
  }
}

// Checks on the meters' throughput (= admitted/s) and rejection ratio.
void plan_admissions(Analysis& analysis, const AnalysisContext& context, double admitted_rate) {
  analysis.checks.push_back({context.index, "throughput", admitted_rate});
  analysis.checks.push_back(
      {context.index, "rejection_ratio", std::max(0.0, 1 - admitted_rate / context.input.rate)});
}

void analyse_fixed_window(Analysis& analysis, const LimiterConfig& config,
                          const AnalysisContext& context) {
  const double lambda = context.input.rate;
  const double per_window = lambda * config.window;
  if (per_window > kMaxArrivalsPerWindow) {
    analysis.theory.detail =
        fmt::format("not computed: {} arrivals per window is too many", format_number(per_window));
    set_outputs(analysis, context, admitted_bound(config, lambda), "fixed window");
    return;
  }
  const double expected = analytic::poisson_truncated_mean(per_window, config.limit);
  // Windows are aligned at t = 0, so the measurement window may cut windows at its edges: the
  // expectation over exactly [warm-up, warm-up + duration) accounts for them.
  const Scenario& scenario = context.scenario;
  const double window_rate =
      analytic::fixed_window_admissions(lambda, config.window, config.limit, scenario.warmup,
                                        scenario.warmup + scenario.duration) /
      scenario.duration;
  plan_admissions(analysis, context, window_rate);
  analysis.theory.model = "fixed window, Poisson arrivals";
  analysis.theory.detail = fmt::format(
      "Poisson arrivals at {}; each window of {} s from t = 0 admits the first {} of its N ~ "
      "Poisson({}) arrivals: E[min(N, n)] = mean P(N <= n - 2) + n P(N >= n) = {} per window, "
      "admitted fraction {}, long-run {} (over the measured [{}, {}) s, edges included: {}); "
      "bound {}",
      rate_text(lambda), format_number(config.window, 6), config.limit,
      format_number(per_window, 6), format_number(expected, 6),
      format_number(expected / per_window, 6), rate_text(expected / config.window),
      format_number(scenario.warmup, 6), format_number(scenario.warmup + scenario.duration, 6),
      rate_text(window_rate), bound_text(config));
  set_outputs(analysis, context, window_rate, "fixed window");
}

void analyse_token_bucket(Analysis& analysis, const LimiterConfig& config,
                          const AnalysisContext& context) {
  const double lambda = context.input.rate;
  const double per_token = lambda / config.rate;
  const bool meter = config.algorithm == LimiterAlgorithm::leaky_bucket_meter;
  const std::string what = meter ? "leaky bucket meter" : "token bucket";
  if (!analytic::embedded_chain_feasible(per_token, config.burst)) {
    analysis.theory.detail = fmt::format(
        "not computed: the exact chain ({} states, {} arrivals per token) is too large; bound {}",
        config.burst, format_number(per_token), bound_text(config));
    set_outputs(analysis, context, admitted_bound(config, lambda), what);
    return;
  }
  const analytic::TokenBucketMetrics m = analytic::token_bucket(lambda, config.rate, config.burst);
  plan_admissions(analysis, context, m.admitted_rate);
  analysis.theory.model = fmt::format("discrete {}, Markov chain", what);
  analysis.theory.detail = fmt::format(
      "Poisson arrivals at {}; {}one token every 1/{} s into a bucket of {} (full at t = 0): the "
      "deficit D = b - tokens just after each token is a Markov chain on 0..{}, "
      "D' = max(min(D + N, b) - 1, 0) with N ~ Poisson({}) arrivals per token; a token is lost "
      "when it finds the bucket full, so admitted = r (1 - pi_0 e^(-lambda/r)) = {}, rejection "
      "probability {}; bound {}",
      rate_text(lambda),
      meter ? "the level leaks one unit every 1/r s and a request conforms when level + 1 <= b: "
              "level = b - tokens of a token bucket with "
            : "",
      format_number(config.rate, 6), config.burst, config.burst - 1, format_number(per_token, 6),
      rate_text(m.admitted_rate), format_number(m.rejection_probability, 6), bound_text(config));
  set_outputs(analysis, context, m.admitted_rate, what);
}

void analyse_leaky_queue(Analysis& analysis, const LimiterConfig& config,
                         const AnalysisContext& context) {
  const double lambda = context.input.rate;
  const std::int64_t capacity = config.queue + 1;
  const double per_departure = lambda / config.rate;
  const std::string model = fmt::format("M/D/1/{}", capacity);
  if (!analytic::embedded_chain_feasible(per_departure, capacity)) {
    analysis.theory.detail = fmt::format(
        "not computed: the exact chain of {} ({} arrivals per departure) is too large; bound {}",
        model, format_number(per_departure), bound_text(config));
    set_outputs(analysis, context, admitted_bound(config, lambda), "leaky bucket queue");
    return;
  }
  const analytic::StationMetrics m = analytic::md1k(lambda, config.rate, capacity);
  plan_station_metrics(analysis.checks, context.index, m, true);
  analysis.theory.model = model + " (leaky bucket queue)";
  analysis.theory.detail = fmt::format(
      "Poisson arrivals at {}; one request leaves every 1/{} s, {} may wait besides the one "
      "leaving: a single server with deterministic service {} s and room for K = {}. The number "
      "left behind by departures is a Markov chain with Poisson({}) arrivals per service; "
      "p_j = pi_j / (pi_0 + rho), blocking p_K = 1 - 1 / (pi_0 + rho) = {}, throughput {}, "
      "L = {}, W = {} s",
      rate_text(lambda), format_number(config.rate, 6), config.queue,
      format_number(1 / config.rate, 6), capacity, format_number(per_departure, 6),
      format_number(m.blocking, 6), rate_text(m.throughput), format_number(m.L, 6),
      format_number(m.W, 6));
  set_outputs(analysis, context, m.throughput, "leaky bucket queue");
}

// The error sink the limiter's rejected route leads straight to, when it is the scenario's only
// error sink and nothing else feeds it.
const NodeSpec* lone_error_sink(const AnalysisContext& context) {
  const Scenario& scenario = context.scenario;
  if (context.spec.targets.size() < 2) return nullptr;
  const std::size_t rejected = context.spec.targets[1];
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    const NodeSpec& spec = scenario.nodes[i];
    const auto* sink = std::get_if<SinkConfig>(&spec.config);
    const bool error = sink != nullptr && sink->outcome == SinkOutcome::error;
    if (i == rejected ? !error : error) return nullptr;
    if (i != context.index &&
        std::find(spec.targets.begin(), spec.targets.end(), rejected) != spec.targets.end()) {
      return nullptr;
    }
  }
  return &scenario.nodes[rejected];
}

// Whether every request counted end to end meets the limiter exactly once: the routes are
// acyclic (this analysis runs in topological order), nothing upstream creates requests of its
// own (forks, async nodes, calls) that could be the ones meeting it, and its arrival rate is the
// sources' total, so none was turned away or sent around it.
bool meets_every_request_once(const AnalysisContext& context) {
  const Scenario& scenario = context.scenario;
  const std::size_t n = scenario.nodes.size();
  std::vector<bool> upstream(n, false);
  upstream[context.index] = true;
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < n; ++i) {
      const auto& targets = scenario.nodes[i].targets;
      if (upstream[i] || std::none_of(targets.begin(), targets.end(),
                                      [&](std::size_t t) { return upstream[t]; })) {
        continue;
      }
      upstream[i] = changed = true;
    }
  }
  double sources_rate = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const NodeConfig& config = scenario.nodes[i].config;
    if (const auto* source = std::get_if<SourceConfig>(&config)) {
      if (!source->plain()) return false;
      sources_rate += 1 / source->interarrival.mean();
    }
    const bool passes_requests_on = std::holds_alternative<SourceConfig>(config) ||
                                    std::holds_alternative<StationConfig>(config) ||
                                    std::holds_alternative<DelayConfig>(config) ||
                                    std::holds_alternative<BalancerConfig>(config) ||
                                    std::holds_alternative<CacheConfig>(config) ||
                                    std::holds_alternative<LimiterConfig>(config);
    if (upstream[i] && !passes_requests_on) return false;
  }
  return std::fabs(context.input.rate - sources_rate) <= kSameRate * sources_rate;
}

// End to end, the error ratio is the limiter's rejection probability when every request meets
// it once and its rejected ones end at once at the only error sink.
void plan_error_ratio(Analysis& analysis, const AnalysisContext& context) {
  const auto rejection =
      std::find_if(analysis.checks.begin(), analysis.checks.end(), [&](const PlannedCheck& c) {
        return c.node == context.index && c.metric == "rejection_ratio";
      });
  if (rejection == analysis.checks.end()) return;
  const NodeSpec* sink = lone_error_sink(context);
  if (sink == nullptr || !meets_every_request_once(context)) return;
  const double probability = rejection->theory;
  analysis.checks.push_back({context.scenario.nodes.size(), "error_ratio", probability});
  analysis.theory.detail += fmt::format(
      "; every request meets it once and its rejected ones end at the error sink {}, so the "
      "end-to-end error ratio is its rejection probability, {}",
      sink->name, format_number(probability, 6));
}

}  // namespace

Analysis analyse(const LimiterConfig& config, const AnalysisContext& context) {
  Analysis analysis;
  analysis.theory.node = context.spec.name;
  const Flow& input = context.input;
  const std::string& name = algorithm_name(config);
  if (std::isnan(input.rate)) {
    analysis.theory.detail = fmt::format(
        "no closed form: its arrival rate is not known in advance ({}); long-run admitted rate "
        "at most {}",
        input.why_not, bound_text(config));
    set_outputs(analysis, context, input.rate, name);
    return analysis;
  }
  if (!(input.rate > 0)) {
    analysis.theory.detail = "no closed form: no arrivals reach it";
    set_outputs(analysis, context, 0, name);
    return analysis;
  }
  if (!input.poisson) {
    analysis.theory.detail = fmt::format(
        "no closed form: arrivals are not Poisson ({}); long-run admitted rate at most {}",
        input.why_not, bound_text(config));
    set_outputs(analysis, context, admitted_bound(config, input.rate), name);
    return analysis;
  }
  switch (config.algorithm) {
    case LimiterAlgorithm::fixed_window:
      analyse_fixed_window(analysis, config, context);
      break;
    case LimiterAlgorithm::token_bucket:
    case LimiterAlgorithm::leaky_bucket_meter:
      analyse_token_bucket(analysis, config, context);
      break;
    case LimiterAlgorithm::leaky_bucket_queue:
      analyse_leaky_queue(analysis, config, context);
      break;
    case LimiterAlgorithm::sliding_window_log:
    case LimiterAlgorithm::sliding_window_counter:
      analysis.theory.detail = fmt::format(
          "no closed form for the {} with Poisson arrivals at {}: whether a request passes "
          "depends on the times of earlier admissions{}; long-run admitted rate at most {}",
          name, rate_text(input.rate),
          config.algorithm == LimiterAlgorithm::sliding_window_log
              ? " (guaranteed: at most limit admissions in any interval of length window)"
              : "",
          bound_text(config));
      set_outputs(analysis, context, admitted_bound(config, input.rate), name);
      break;
  }
  plan_error_ratio(analysis, context);
  return analysis;
}

std::optional<std::vector<double>> routing_fractions(const LimiterConfig&, const NodeSpec&) {
  return std::nullopt;
}

}  // namespace capsim::models
