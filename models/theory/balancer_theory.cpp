// validate for balancers. A balancer holds nothing, so its theory is what its policy does to the
// stream it dispatches: Poisson splitting (random, weighted random, consistent hashing of
// uniform keys), Erlang inter-arrivals (round robin, and the evenly spaced backends of smooth
// weighted round robin, checked at the backends as E_k/M/1 through the GI/M/1 root), the
// mean-field limit of power of d (shown, not compared), or no closed form (least connections).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <variant>

#include "models/io/text_format.hpp"
#include "models/nodes/balancer.hpp"
#include "models/theory/analysis.hpp"
#include "sim/analytic/gi_m_1.hpp"

namespace capsim::models {

namespace {

/// Below this many backends the mean-field limit of power of d is too far from the finite
/// system to be worth showing (sim/analytic/README.md gives the measured gaps).
constexpr std::size_t kMeanFieldMinBackends = 10;
/// Tail fractions below this are not shown: too rare to estimate in a typical run.
constexpr double kSmallestTailShown = 1e-3;
/// Wait percentiles this close to the atom at zero (q = 1 - sigma) sit on a jump of the
/// distribution, where a sampled quantile is unstable; they are not compared.
constexpr double kAtomMargin = 0.005;

std::string ordinal(std::size_t k) {
  const char* suffix = "th";
  if (k % 100 < 11 || k % 100 > 13) {
    if (k % 10 == 1) suffix = "st";
    if (k % 10 == 2) suffix = "nd";
    if (k % 10 == 3) suffix = "rd";
  }
  return fmt::format("{}{}", k, suffix);
}

std::string rate_text(double rate) {
  return format_number(rate, 6) + "/s";
}

const std::string& backend_name(const AnalysisContext& context, std::size_t t) {
  return context.scenario.nodes[context.spec.targets[t]].name;
}

std::vector<double> normalized(const std::vector<double>& weights) {
  double total = 0;
  for (double weight : weights) total += weight;
  std::vector<double> fractions;
  for (double weight : weights) fractions.push_back(weight / total);
  return fractions;
}

/// The station behind a backend when it is one exponential server with unlimited room and
/// nothing but this balancer feeds it: then the policy alone shapes its arrivals and the
/// queue may have a closed form. Otherwise nullptr, with the reason.
const StationConfig* lone_exponential_server(const AnalysisContext& context, std::size_t backend,
                                             std::string& why_not) {
  const Scenario& scenario = context.scenario;
  const NodeSpec& spec = scenario.nodes[backend];
  const auto* station = std::get_if<StationConfig>(&spec.config);
  if (station == nullptr) {
    why_not = fmt::format("{} is a {}, not a station", spec.name, spec.type);
  } else if (station->servers != 1) {
    why_not = fmt::format("{} has {} servers", spec.name, station->servers);
  } else if (station->capacity) {
    why_not = fmt::format("{} has a capacity limit", spec.name);
  } else if (station->service.kind() != sim::Distribution::Kind::exponential) {
    why_not = fmt::format("{} has {} service", spec.name, station->service.name());
  } else {
    for (std::size_t j = 0; j < scenario.nodes.size(); ++j) {
      const auto& targets = scenario.nodes[j].targets;
      if (j != context.index &&
          std::find(targets.begin(), targets.end(), backend) != targets.end()) {
        why_not = fmt::format("{} is also fed by {}", spec.name, scenario.nodes[j].name);
        return nullptr;
      }
    }
    return station;
  }
  return nullptr;
}

/// Each backend's flow: a fraction of the input, Poisson only when `poisson` (and the input
/// is), otherwise with the reason given.
std::vector<Flow> split_by(const Flow& input, const std::vector<double>& fractions, bool poisson,
                           const std::string& why_not) {
  std::vector<Flow> out;
  for (double fraction : fractions) {
    Flow part{input.rate * fraction, input.poisson && poisson, ""};
    if (!input.poisson) {
      part.why_not = input.why_not;
    } else if (!poisson) {
      part.why_not = why_not;
    }
    out.push_back(part);
  }
  return out;
}

/// Each backend's flow when the policy's split depends on the backends' states or on the
/// requests in a way no closed form captures: not Poisson, and of unknown rate (NaN), so that
/// nothing downstream checks a rate the balancer does not fix.
std::vector<Flow> unknown_split(std::size_t backends, const Flow& input, const std::string& why) {
  Flow part{std::numeric_limits<double>::quiet_NaN(), false, input.poisson ? why : input.why_not};
  return std::vector<Flow>(backends, part);
}

void plan_shares(Analysis& analysis, const AnalysisContext& context,
                 const std::vector<double>& fractions) {
  for (std::size_t t = 0; t < fractions.size(); ++t) {
    analysis.checks.push_back({context.index, "share." + backend_name(context, t), fractions[t]});
  }
}

std::string describe_split(const AnalysisContext& context, const Flow& input,
                           const std::vector<double>& fractions) {
  std::string parts;
  for (std::size_t t = 0; t < fractions.size(); ++t) {
    parts += fmt::format("{}{} {} ({})", t == 0 ? "" : ", ", backend_name(context, t),
                         format_number(fractions[t], 4), rate_text(input.rate * fractions[t]));
  }
  return parts;
}

// A split of the requests made independently of each other (thinning), described by `how`: with
// Poisson arrivals, the backends' streams are independent Poisson streams (`why`).
void explain_thinning(Analysis& analysis, const Flow& input, const std::string& how,
                      const char* model, const char* why) {
  if (!input.poisson) {
    analysis.theory.detail =
        how + "; arrivals are not Poisson (" + input.why_not + "), so neither are the backends'";
    return;
  }
  analysis.theory.model = model;
  analysis.theory.detail = how + "; " + why;
  analysis.product_form_population = 0;
}

// Random and weighted random: independent routing of a Poisson stream gives independent Poisson
// streams (thinning), so the backends get their own M/M/c or M/G/1 checks downstream.
Analysis analyse_random(const BalancerConfig& config, const AnalysisContext& context) {
  const Flow& input = context.input;
  const std::vector<double> fractions = *routing_fractions(config, context.spec);
  Analysis analysis;
  analysis.outputs = split_by(input, fractions, true, "");
  if (input.rate > 0) plan_shares(analysis, context, fractions);
  const std::string how = fmt::format("each request goes to a backend independently at random: {}",
                                      describe_split(context, input, fractions));
  explain_thinning(analysis, input, how, "Poisson splitting",
                   "a Poisson stream split at random gives independent Poisson streams");
  return analysis;
}

// A backend given every k-th request of a Poisson stream sees Erlang-k inter-arrival times at
// `rate` (= the stream's rate / k), a renewal process. When it is one exponential server fed by
// nothing else it is an E_k/M/1 queue, a GI/M/1: its checks are planned here, since its own
// analysis only sees a flow that is not Poisson. Returns what was found, for the detail text.
std::string plan_erlang_backend(Analysis& analysis, const AnalysisContext& context, std::size_t t,
                                int phases, double rate) {
  const std::size_t backend = context.spec.targets[t];
  const std::string& name = backend_name(context, t);
  std::string why_not;
  const StationConfig* station = lone_exponential_server(context, backend, why_not);
  if (station == nullptr) return fmt::format("{}: no closed form ({})", name, why_not);
  if (rate * station->service.mean() >= 1) return fmt::format("{}: unstable (rho >= 1)", name);
  const double mu = 1 / station->service.mean();
  const double sigma = analytic::gi_m_1_sigma(
      [&](double s) { return analytic::erlang_transform(phases, rate, s); }, rate, mu);
  const analytic::StationMetrics m = analytic::gi_m_1(rate, mu, sigma);
  plan_station_metrics(analysis.checks, backend, m, false);
  for (const auto& [level, suffix] : kPercentiles) {
    if (std::fabs(level - (1 - sigma)) > kAtomMargin) {
      analysis.checks.push_back({backend, std::string("wait.") + suffix,
                                 analytic::gi_m_1_wait_quantile(mu, sigma, level), true});
    }
    analysis.checks.push_back({backend, std::string("sojourn.") + suffix,
                               analytic::gi_m_1_sojourn_quantile(mu, sigma, level), true});
  }
  return fmt::format("{}: E{}/M/1 with rho = {}, sigma = {}, W = {} s", name, phases,
                     format_number(m.utilization), format_number(sigma, 6), format_number(m.W, 6));
}

const char* kGiM1Theory =
    "one exponential server is then a GI/M/1 queue: sigma = A*(mu (1 - sigma)) with "
    "A*(s) = (k lambda / (k lambda + s))^k for Erlang-k arrivals at rate lambda, "
    "W = 1 / (mu (1 - sigma)), P(wait) = sigma, sojourn exponential (Gross & Harris 6.4)";

// Round robin over n backends gives each one every n-th request: from a Poisson stream,
// Erlang-n inter-arrival times.
Analysis analyse_round_robin(const AnalysisContext& context) {
  const Flow& input = context.input;
  const std::size_t n = context.spec.targets.size();
  Analysis analysis;
  const std::vector<double> even(n, 1.0 / static_cast<double>(n));
  if (n == 1) {
    analysis.outputs = split_by(input, even, true, "");
    analysis.theory.detail = "one backend: every request goes to it";
    if (input.poisson) analysis.product_form_population = 0;
    return analysis;
  }
  const std::string pattern =
      fmt::format("round robin at {} gives it every {} request", context.spec.name, ordinal(n));
  if (!input.poisson) {
    analysis.outputs = split_by(input, even, false, "");
    analysis.theory.detail = fmt::format("no closed form: {} of a stream that is not Poisson ({})",
                                         pattern, input.why_not);
    return analysis;
  }
  const double rate = input.rate / static_cast<double>(n);
  analysis.outputs =
      split_by(input, even, false,
               fmt::format("{} of a Poisson stream: Erlang-{} inter-arrival times", pattern, n));
  analysis.theory.model = fmt::format("round robin: E{}/M/1 backends", n);
  std::string backends;
  for (std::size_t t = 0; t < n; ++t) {
    backends +=
        (t == 0 ? "" : "; ") + plan_erlang_backend(analysis, context, t, static_cast<int>(n), rate);
  }
  analysis.theory.detail = fmt::format(
      "each of the {} backends gets every {} request of a Poisson stream at {}, so Erlang-{} "
      "inter-arrival times at {}; {}. {}",
      n, ordinal(n), rate_text(input.rate), n, rate_text(rate), kGiM1Theory, backends);
  return analysis;
}

/// Longest cycle of smooth weighted round robin worked out for validate.
constexpr double kMaxSmoothCycle = 100000;

// Smooth weighted round robin with integer weights repeats every sum(weights) picks (the current
// weights are back to zero). A backend whose picks are evenly spaced in the cycle, every g-th
// request (always so with weight 1), sees Erlang-g inter-arrival times from a Poisson stream,
// like round robin; the others have uneven gaps and no closed form.
Analysis analyse_smooth_weighted(const BalancerConfig& config, const AnalysisContext& context) {
  const Flow& input = context.input;
  const std::size_t n = context.spec.targets.size();
  const std::vector<double> fractions = normalized(config.weights);
  Analysis analysis;
  double total = 0;
  bool integral = true;
  for (double weight : config.weights) {
    total += weight;
    integral = integral && weight == std::floor(weight);
  }
  const std::string pattern =
      fmt::format("smooth weighted round robin at {} interleaves requests in a fixed pattern",
                  context.spec.name);
  analysis.outputs = split_by(input, fractions, false, pattern);
  if (!input.poisson || !integral || total > kMaxSmoothCycle) {
    analysis.theory.detail =
        !input.poisson
            ? "no closed form: arrivals are not Poisson (" + input.why_not + ")"
            : "no closed form: smooth weighted round robin sends requests in a fixed interleaved "
              "pattern (each backend gets weight / total weight of every cycle)";
    return analysis;
  }
  // One cycle, by the balancer's own rule.
  std::vector<double> current(n, 0.0);
  std::vector<std::vector<std::size_t>> picks(n);
  const auto cycle = static_cast<std::size_t>(total);
  for (std::size_t step = 0; step < cycle; ++step) {
    picks[smooth_weighted_pick(current, config.weights, total)].push_back(step);
  }
  std::string backends;
  for (std::size_t t = 0; t < n; ++t) {
    const auto& at = picks[t];
    const std::size_t gap = cycle / at.size();
    bool even = true;
    for (std::size_t k = 0; k < at.size(); ++k) {
      const std::size_t next = k + 1 < at.size() ? at[k + 1] : at[0] + cycle;
      even = even && next - at[k] == gap;
    }
    std::string outcome;
    if (!even) {
      outcome =
          fmt::format("{}: no closed form (uneven gaps in the cycle)", backend_name(context, t));
    } else if (gap == 1) {
      analysis.outputs[t] = input;  // the only backend with any weight: every request
      outcome = fmt::format("{}: every request", backend_name(context, t));
    } else {
      analysis.outputs[t].why_not = fmt::format(
          "smooth weighted round robin at {} gives it every {} request of a Poisson stream: "
          "Erlang-{} inter-arrival times",
          context.spec.name, ordinal(gap), gap);
      outcome = plan_erlang_backend(analysis, context, t, static_cast<int>(gap),
                                    input.rate / static_cast<double>(gap));
    }
    backends += (t == 0 ? "" : "; ") + outcome;
  }
  analysis.theory.model = "smooth weighted round robin";
  analysis.theory.detail = fmt::format(
      "a fixed cycle of {} requests from a Poisson stream at {}; a backend picked every g-th "
      "request sees Erlang-g inter-arrival times, and {}. {}",
      cycle, rate_text(input.rate), kGiM1Theory, backends);
  return analysis;
}

// Consistent hashing of keys drawn independently from one popularity: each request goes to
// backend i with probability request_share_i (the popularity of the keys it owns), independently
// of the others and of the arrival times, so a Poisson stream splits into independent Poisson
// streams exactly as with random routing.
Analysis analyse_consistent_hash(const BalancerConfig& config, const AnalysisContext& context) {
  const Flow& input = context.input;
  const Scenario& scenario = context.scenario;
  Analysis analysis;
  std::string obstacle = config.no_request_shares;
  std::string key_space;
  for (std::size_t feeder : upstream_nodes(scenario, context.index)) {
    const NodeSpec& spec = scenario.nodes[feeder];
    if (const auto* source = std::get_if<SourceConfig>(&spec.config); source && source->keys) {
      key_space = source->keys->describe();
    }
    const auto* balancer = std::get_if<BalancerConfig>(&spec.config);
    if (balancer && balancer->policy == BalancerPolicy::consistent_hash && obstacle.empty()) {
      obstacle = fmt::format(
          "consistent_hash balancer {} upstream already sorted the requests by key, so the keys "
          "reaching it do not follow the sources' popularity",
          spec.name);
    }
  }
  const std::string ring = fmt::format(
      "each request goes to the owner of its key on a hash ring of {} virtual nodes per backend",
      config.virtual_nodes);
  if (!obstacle.empty()) {
    analysis.outputs =
        unknown_split(context.spec.targets.size(), input, fmt::format("{} ({})", ring, obstacle));
    analysis.theory.detail = fmt::format("no closed form for the backends' rates: {}", obstacle);
    return analysis;
  }
  const std::vector<double>& shares = config.request_shares;
  analysis.outputs = split_by(input, shares, true, "");
  for (auto& flow : analysis.outputs) {
    if (flow.rate == 0) flow = {0, false, "it owns none of the keys requested"};
  }
  if (input.rate > 0) plan_shares(analysis, context, shares);
  const std::string how = fmt::format(
      "{}; keys drawn independently, {}, so backend i gets the fraction of the requests its "
      "keys' popularity adds up to, each independently: {}",
      ring, key_space, describe_split(context, input, shares));
  explain_thinning(analysis, input, how, "Poisson splitting by key",
                   "a Poisson stream thinned by independent marks gives independent Poisson "
                   "streams");
  return analysis;
}

// The backends' common station when they are identical single exponential servers fed only by
// the balancer; else nullptr, with why not in `obstacle`.
const StationConfig* identical_lone_servers(const AnalysisContext& context, std::string& obstacle) {
  const StationConfig* first = nullptr;
  for (std::size_t t = 0; t < context.spec.targets.size(); ++t) {
    const StationConfig* station =
        lone_exponential_server(context, context.spec.targets[t], obstacle);
    if (station == nullptr) return nullptr;
    if (first == nullptr) first = station;
    if (station->service.mean() != first->service.mean()) {
      obstacle = fmt::format("{} and {} have different mean service times",
                             backend_name(context, 0), backend_name(context, t));
      return nullptr;
    }
  }
  return first;
}

// The mean-field tail s_i of the fleet, shown (not judged) beside tail.i; and how it is derived.
// At finite n the simulated tail sits above the limit by O(1/n), which replications soon
// resolve, so a comparison would either fail or pass only for lack of data.
std::string plan_mean_field_tail(Analysis& analysis, const AnalysisContext& context, double rho,
                                 int d, double rate) {
  const std::size_t n = context.spec.targets.size();
  if (n < kMeanFieldMinBackends) {
    return fmt::format("the mean-field limit is shown from n >= {} backends",
                       kMeanFieldMinBackends);
  }
  for (std::size_t i = 1; i <= Balancer::kTailDepth; ++i) {
    const double tail = analytic::power_of_d_tail(rho, d, static_cast<int>(i));
    if (tail < kSmallestTailShown) break;
    analysis.checks.push_back({context.index, fmt::format("tail.{}", i), tail, false, true});
  }
  const double L = analytic::power_of_d_mean_number(rho, d);
  const double W = L / rate;
  return fmt::format(
      "mean-field limit (Vvedenskaya et al. 1996, Mitzenmacher 2001): a fraction "
      "s_i = rho^((d^i - 1)/(d - 1)) of the backends hold at least i requests "
      "(shown beside tail.i as an asymptotic limit, exact as n -> infinity; a "
      "finite fleet sits above it by O(1/n), so it describes fleets of about 100 "
      "backends or more to within a few percent, n = {} here: see sim/analytic/README.md), "
      "L = {}, W = {} s per backend",
      n, format_number(L, 6), format_number(W, 6));
}

// The mean-field limit of power of d (n -> infinity with d fixed) for identical M/M/1 backends.
// Whatever n, symmetry makes every backend's throughput lambda / n and utilization rho exactly.
Analysis analyse_power_of_d(const BalancerConfig& config, const AnalysisContext& context) {
  const Flow& input = context.input;
  const std::size_t n = context.spec.targets.size();
  const int d = config.choices;
  Analysis analysis;
  const std::vector<double> even(n, 1.0 / static_cast<double>(n));
  const std::string reason = fmt::format(
      "power of {} at {} sends each request to the least loaded of {} backends sampled at "
      "random, so its arrivals depend on the queues",
      d, context.spec.name, d);
  // Only identical backends split the stream evenly; until that is established the rates are
  // unknown (a faster backend wins more of the comparisons).
  analysis.outputs = unknown_split(n, input, reason);
  if (!input.poisson) {
    analysis.theory.detail = "no closed form: arrivals are not Poisson (" + input.why_not + ")";
    return analysis;
  }
  std::string obstacle;
  const StationConfig* backend = identical_lone_servers(context, obstacle);
  if (backend == nullptr) {
    analysis.theory.detail = fmt::format(
        "no closed form: the mean-field limit needs identical single exponential "
        "servers fed only by the balancer ({})",
        obstacle);
    return analysis;
  }
  analysis.outputs = split_by(input, even, false, reason);  // by symmetry
  const double mu = 1 / backend->service.mean();
  const double rate = input.rate / static_cast<double>(n);
  const double rho = rate / mu;
  if (rho >= 1) {
    analysis.warnings.push_back(fmt::format(
        "the backends of balancer {} are unstable: rho = {} >= 1 with no capacity limit",
        context.spec.name, format_number(rho)));
    analysis.theory.detail = "no closed form: unstable (rho >= 1)";
    return analysis;
  }
  plan_shares(analysis, context, even);
  for (std::size_t t = 0; t < n; ++t) {
    analysis.checks.push_back({context.spec.targets[t], "throughput", rate});
    analysis.checks.push_back({context.spec.targets[t], "utilization", rho});
  }
  const std::string limit = plan_mean_field_tail(analysis, context, rho, d, rate);
  analysis.theory.model = fmt::format("power of {} choices", d);
  analysis.theory.detail = fmt::format(
      "{} identical exponential single servers at rho = {}; by symmetry each gets {}, "
      "utilization rho and 1/{} of the requests (checked); {}",
      n, format_number(rho), rate_text(rate), n, limit);
  return analysis;
}

// Least connections: the choice depends on the queues, and joining the shortest queue has no
// closed form. Not even the split of the rates is known: a faster backend empties sooner and
// wins more requests, whatever the weights say.
Analysis analyse_without_closed_form(const BalancerConfig& config, const AnalysisContext& context) {
  Analysis analysis;
  const bool weighted = !config.weights.empty();
  const std::string why =
      fmt::format("{} at {} sends each request to the backend holding the fewest requests{}",
                  balancer_policy_names()[static_cast<std::size_t>(config.policy)],
                  context.spec.name, weighted ? " per unit of weight" : "");
  analysis.outputs = unknown_split(context.spec.targets.size(), context.input, why);
  analysis.theory.detail =
      "no closed form: joining the shortest queue has no closed form for its sojourn time, and "
      "the backends' shares of the requests follow their queues (a faster backend gets more), "
      "not a fixed split";
  return analysis;
}

// The backends' own analyses only check stability for Poisson arrivals; where this policy fixes
// a backend's mean rate exactly but its arrivals are not Poisson, an overloaded backend would
// otherwise go unnoticed.
void warn_unstable_backends(Analysis& analysis, const AnalysisContext& context) {
  for (std::size_t t = 0; t < analysis.outputs.size(); ++t) {
    const Flow& flow = analysis.outputs[t];
    const auto* station =
        std::get_if<StationConfig>(&context.scenario.nodes[context.spec.targets[t]].config);
    if (flow.poisson || station == nullptr || station->capacity) continue;
    const double load = flow.rate * station->service.mean();
    if (load < station->servers) continue;
    analysis.warnings.push_back(fmt::format(
        "backend {} of balancer {} is unstable: offered load {} erlangs on {} server(s) (rho = "
        "{} >= 1) with no capacity limit; its queue grows without bound",
        backend_name(context, t), context.spec.name, format_number(load), station->servers,
        format_number(load / station->servers)));
  }
}

}  // namespace

Analysis analyse(const BalancerConfig& config, const AnalysisContext& context) {
  Analysis analysis;
  switch (config.policy) {
    case BalancerPolicy::random:
    case BalancerPolicy::weighted_random:
      analysis = analyse_random(config, context);
      break;
    case BalancerPolicy::round_robin:
      analysis = analyse_round_robin(context);
      break;
    case BalancerPolicy::consistent_hash:
      analysis = analyse_consistent_hash(config, context);
      break;
    case BalancerPolicy::power_of_d:
      analysis = analyse_power_of_d(config, context);
      break;
    case BalancerPolicy::smooth_weighted_round_robin:
      analysis = analyse_smooth_weighted(config, context);
      break;
    case BalancerPolicy::least_connections:
    case BalancerPolicy::weighted_least_connections:
      analysis = analyse_without_closed_form(config, context);
      break;
  }
  analysis.theory.node = context.spec.name;
  // Rates are exact means for these policies (by probability, key share, turn or weight).
  if (config.policy != BalancerPolicy::least_connections &&
      config.policy != BalancerPolicy::weighted_least_connections &&
      config.policy != BalancerPolicy::power_of_d) {
    warn_unstable_backends(analysis, context);
  }
  // An instantaneous node passes on every request it gets: its throughput is its arrival rate.
  if (context.input.poisson && context.input.rate > 0) {
    analysis.checks.push_back({context.index, "throughput", context.input.rate});
  }
  return analysis;
}

std::optional<std::vector<double>> routing_fractions(const BalancerConfig& config,
                                                     const NodeSpec& spec) {
  const std::size_t n = spec.targets.size();
  if (config.policy == BalancerPolicy::random) {
    return std::vector<double>(n, 1.0 / static_cast<double>(n));
  }
  if (config.policy == BalancerPolicy::weighted_random) {
    double total = 0;
    for (double weight : config.weights) total += weight;
    std::vector<double> fractions;
    for (double weight : config.weights) fractions.push_back(weight / total);
    return fractions;
  }
  return std::nullopt;
}

}  // namespace capsim::models
