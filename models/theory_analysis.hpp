#pragma once
// The per-node side of `capsim validate`: what each node type makes of the stream of requests
// entering it, which closed form applies to it, and what it sends on. One `analyse` overload per
// node type; the driver (theory_check.cpp) walks the network and makes the comparisons.

#include <optional>
#include <string>
#include <vector>

#include "models/scenario.hpp"
#include "models/theory_check.hpp"
#include "sim/analytic/queueing.hpp"

namespace capsim::models {

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

}  // namespace capsim::models
