#pragma once
// The per-node side of `capsim validate`: what each node type makes of the stream of requests
// entering it, which closed form applies to it, and what it sends on. One `analyse` overload per
// node type; network_theory.cpp walks the network, and validate (workflows/) makes the comparisons.

#include <optional>
#include <string>
#include <vector>

#include "models/scenario/scenario.hpp"
#include "sim/analytic/queueing.hpp"

namespace capsim::models {

/// Which closed form a node matches, or why none applies.
struct NodeTheory {
  std::string node;
  std::string model;   ///< "M/M/1", "M/M/4/20", "M/D/1", ... ; empty when none applies
  std::string detail;  ///< the inputs that justify the model, or the reason there is none
};

/// What is known about a stream of requests.
struct Flow {
  double rate = 0;      ///< mean requests per second
  bool poisson = true;  ///< a Poisson process
  std::string why_not;  ///< when not Poisson: the first reason found
};

/// The superposition of independent streams: Poisson when every part is.
Flow merge(const std::vector<Flow>& flows);

/// A comparison to make once all are known (the Bonferroni correction needs their number).
struct PlannedCheck {
  std::size_t node;  ///< index into the scenario, or nodes.size() for end to end
  std::string metric;
  double theory = 0;
  bool percentile = false;  ///< compared with the histogram's resolution added
  /// An asymptotic limit the finite system only approaches (e.g. a mean-field limit as the
  /// server count grows): shown beside the simulation, never judged.
  bool limit = false;
  /// For an approximate closed form: its stated largest error (absolute, same unit as the
  /// metric), added to the tolerance, and the approximation's name for the report.
  double approximation_error = 0;
  std::string approximation = {};
};

/// One node's analysis, given the flow into it.
struct Analysis {
  NodeTheory theory;         ///< shown when model or detail is set
  std::vector<Flow> outputs;  ///< one per target of the node, in target order
  std::vector<PlannedCheck> checks;
  std::vector<std::string> warnings;
  /// Set when the node is a product-form (Jackson/BCMP) node given Poisson input: its mean
  /// population, which the network-level check sums.
  std::optional<double> product_form_population;
  /// Set for an error sink: the mean rate of the requests that end there (requests/s).
  std::optional<double> failure_rate;
};

struct AnalysisContext {
  const Scenario& scenario;
  std::size_t index;  ///< of the node in scenario.nodes
  const NodeSpec& spec;
  const Flow& input;  ///< merged flow into the node (zero rate for sources)
};

Analysis analyse(const SourceConfig& config, const AnalysisContext& context);
Analysis analyse(const StationConfig& config, const AnalysisContext& context);
Analysis analyse(const DelayConfig& config, const AnalysisContext& context);
Analysis analyse(const SinkConfig& config, const AnalysisContext& context);

/// A source with a rate profile, a trace or batches (SourceConfig::plain() is false): the
/// expected arrivals in the window, and why its output is not a Poisson stream
/// (clients_theory.cpp).
Analysis analyse_extended_source(const SourceConfig& config, const AnalysisContext& context);

/// The closed-network path of validate, used when the scenario has a "clients" node: exact MVA
/// for a closed product-form network, or for every node why none applies (clients_theory.cpp).
/// nullopt when there are no clients: the open-network analysis applies.
std::optional<std::vector<Analysis>> analyse_closed_network(const Scenario& scenario,
                                                            std::string& network_model);

/// The fraction of a node's departures that goes to each of its targets, for node types that
/// route every request independently at random (the routing of a Jackson network). A more
/// specific overload replaces this default for types that route otherwise.
template <typename Config>
std::optional<std::vector<double>> routing_fractions(const Config&, const NodeSpec& spec) {
  if (!spec.probabilities.empty()) return spec.probabilities;
  if (spec.targets.empty()) return std::vector<double>{};
  return std::vector<double>{1.0};
}

/// Splits a departure stream over the node's targets by its routing probabilities. Independent
/// random routing of a Poisson stream gives independent Poisson streams.
std::vector<Flow> split(const Flow& departures, const NodeSpec& spec);

/// "M", "D", "E4" or "G": the Kendall letter of a service or inter-arrival distribution.
std::string kendall_letter(const sim::Distribution& distribution);

/// Plans the comparison of a station's measured means with a closed form.
void plan_station_metrics(std::vector<PlannedCheck>& plan, std::size_t node,
                          const analytic::StationMetrics& metrics, bool finite);
/// Plans the M/M/c wait and sojourn percentiles.
void plan_mmc_percentiles(std::vector<PlannedCheck>& plan, std::size_t node, double lambda,
                          double mu, int servers);

// The analyses of the other node types, one file each (<node type>_theory.cpp).

// balancer
/// validate: what the policy makes of the input stream (balancer_theory.cpp).
Analysis analyse(const BalancerConfig& config, const AnalysisContext& context);

/// Random and weighted random route each request independently (the weights, normalized);
/// the other policies depend on the state or the request, so nullopt.
std::optional<std::vector<double>> routing_fractions(const BalancerConfig& config,
                                                     const NodeSpec& spec);

// cache
/// validate: the hit ratio under the independent reference model (cache_theory.cpp).
Analysis analyse(const CacheConfig& config, const AnalysisContext& context);

/// A cache routes by hit or miss, not at random.
std::optional<std::vector<double>> routing_fractions(const CacheConfig& config,
                                                     const NodeSpec& spec);

// clients
/// validate, when the closed network is not product-form (analyse_closed_network handles the
/// rest): no closed form, but the interactive response-time law still holds.
Analysis analyse(const ClientsConfig& config, const AnalysisContext& context);

// failures
/// validate for a station whose servers fail (resilience_theory.cpp): the availability
/// MTTF / (MTTF + MTTR) whenever the up/down cycle is not periodic; with Poisson arrivals and
/// exponential service, failures and repairs, the M/M/c-with-breakdowns solution
/// (analytic::mmc_with_breakdowns) for throughput, utilization, L, Lq, W and rejections.
Analysis analyse_station_with_failures(const StationConfig& station,
                                       const AnalysisContext& context);

// fork join
/// validate: a fork copies its input stream to every branch.
Analysis analyse(const ForkConfig& config, const AnalysisContext& context);

/// validate: Flatto-Hahn / Nelson-Tantawi for 2 identical M/M/1 branches (exact) or n of them
/// (approximation, shown but not checked); otherwise says why no closed form applies.
Analysis analyse(const JoinConfig& config, const AnalysisContext& context);

/// A node other than a sink or `stop` that requests starting at two different nodes of `starts`
/// can both reach, if any: copies of one stream sent down such routes merge there, and the
/// superposition of two copies of a Poisson stream is not Poisson.
std::optional<std::size_t> where_copies_meet(const Scenario& scenario,
                                             const std::vector<std::size_t>& starts,
                                             std::optional<std::size_t> stop);

/// Forks and joins change the number of requests, so they are not random routers (no Jackson
/// traffic equations through them).
std::optional<std::vector<double>> routing_fractions(const ForkConfig&, const NodeSpec&);
std::optional<std::vector<double>> routing_fractions(const JoinConfig&, const NodeSpec&);

// message queue
/// validate: ack and consumer both receive the input stream (the messages are the callers'
/// stream); with a plain station as the only consumer, followed by a sink, the messages'
/// processing delay and backlog are that station's W and L, and the consumer lag its Wq.
Analysis analyse(const AsyncConfig& config, const AnalysisContext& context);

/// Every caller goes to ack and makes one message for the consumer: fractions 1 and 1.
std::optional<std::vector<double>> routing_fractions(const AsyncConfig&, const NodeSpec&);

// rate limiter
/// validate (limiter_theory.cpp): the exact admitted rate of a fixed window or a token bucket
/// (and leaky meter) fed by Poisson arrivals, M/D/1/K for the leaky queue, or why none applies.
Analysis analyse(const LimiterConfig& config, const AnalysisContext& context);

/// A limiter's routing depends on its state, not on independent coin flips: nullopt.
std::optional<std::vector<double>> routing_fractions(const LimiterConfig& config,
                                                     const NodeSpec& spec);

// request classes
/// validate for a station whose classes matter ("priority" discipline or "service_by_class"):
/// non-preemptive priority at M/G/1 (Cobham) or M/M/c with equal service rates, and M/G/1 with
/// per-class service under FIFO (Pollaczek-Khinchine on the mixture). Needs each class's Poisson
/// rate, so it applies when sources feed the station directly; otherwise it says why not.
Analysis analyse_station_with_classes(const StationConfig& station, const AnalysisContext& context);

// resilience
/// validate: with a single attempt the calls are the callers' stream; into a lone M/M/c station
/// followed by sinks, the timeout ratio is the M/M/c sojourn tail P(S > timeout). With retries
/// the calls depend on the service's latency, and no closed form applies.
Analysis analyse(const RetryConfig& config, const AnalysisContext& context);

/// validate: a breaker's calls depend on recent outcomes; no closed form applies.
Analysis analyse(const BreakerConfig& config, const AnalysisContext& context);

/// Calls are not routed at random (retries add requests): no Jackson traffic equations.
std::optional<std::vector<double>> routing_fractions(const RetryConfig&, const NodeSpec&);
std::optional<std::vector<double>> routing_fractions(const BreakerConfig&, const NodeSpec&);

}  // namespace capsim::models
