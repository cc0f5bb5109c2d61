// validate for forks and joins: the Flatto-Hahn exact result for two M/M/1 branches and the
// Nelson-Tantawi approximation for more.

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "models/io/text_format.hpp"
#include "models/nodes/fork_join.hpp"
#include "models/theory/analysis.hpp"
#include "sim/analytic/fork_join.hpp"

namespace capsim::models {

namespace {

// Above this many branches the published accuracy of Nelson-Tantawi no longer holds.
constexpr std::size_t kNelsonTantawiMaxBranches = 32;

// The mean service time shared by every branch if each is one plain FIFO M/M/1 station (one
// server, exponential service, no capacity, no classes) fed only by the fork and sending only
// to the join; otherwise why not.
std::optional<double> identical_mm1_branches(const Scenario& scenario, std::size_t fork,
                                             std::size_t join, std::string& why_not) {
  std::optional<double> mean;
  for (std::size_t branch : scenario.nodes[fork].targets) {
    const NodeSpec& spec = scenario.nodes[branch];
    const auto* station = std::get_if<StationConfig>(&spec.config);
    const bool fed_by_fork_only =
        std::none_of(scenario.nodes.begin(), scenario.nodes.end(), [&](const NodeSpec& other) {
          return &other != &scenario.nodes[fork] &&
                 std::find(other.targets.begin(), other.targets.end(), branch) !=
                     other.targets.end();
        });
    if (station == nullptr || spec.targets != std::vector<std::size_t>{join} || !fed_by_fork_only) {
      why_not =
          fmt::format("branch {} is not a single station between the fork and the join", spec.name);
      return std::nullopt;
    }
    if (station->servers != 1 || station->capacity || classes_matter(*station) ||
        station->service.kind() != sim::Distribution::Kind::exponential) {
      why_not =
          fmt::format("branch {} is not a FIFO M/M/1 station without capacity limit", spec.name);
      return std::nullopt;
    }
    if (mean && *mean != station->service.mean()) {
      why_not = "the branches' mean service times differ";
      return std::nullopt;
    }
    mean = station->service.mean();
  }
  return mean;
}

}  // namespace

std::optional<std::size_t> where_copies_meet(const Scenario& scenario,
                                             const std::vector<std::size_t>& starts,
                                             std::optional<std::size_t> stop) {
  // reached_from[i]: the first start whose routes reach node i.
  std::vector<std::optional<std::size_t>> reached_from(scenario.nodes.size());
  for (std::size_t s = 0; s < starts.size(); ++s) {
    std::vector<bool> seen(scenario.nodes.size(), false);
    std::vector<std::size_t> stack = {starts[s]};
    while (!stack.empty()) {
      const std::size_t i = stack.back();
      stack.pop_back();
      if (seen[i] || i == stop || std::holds_alternative<SinkConfig>(scenario.nodes[i].config)) {
        continue;
      }
      seen[i] = true;
      if (reached_from[i] && *reached_from[i] != s) return i;
      reached_from[i] = s;
      for (std::size_t t : scenario.nodes[i].targets) stack.push_back(t);
    }
  }
  return std::nullopt;
}

Analysis analyse(const ForkConfig& config, const AnalysisContext& context) {
  // Every branch gets a copy of the input stream: each copy alone is the same process (Poisson
  // if the input is), though the copies are not independent of one another, so where two
  // branches meet again before the join their superposition is not Poisson.
  Analysis analysis;
  Flow copy = context.input;
  if (const auto meet = where_copies_meet(context.scenario, context.spec.targets, config.join);
      meet && copy.poisson) {
    copy.poisson = false;
    copy.why_not = fmt::format(
        "branches of fork {} meet again at {}, so it sees the same requests "
        "twice over",
        context.spec.name, context.scenario.nodes[*meet].name);
  }
  analysis.outputs = split(copy, context.spec);
  return analysis;
}

Analysis analyse(const JoinConfig& config, const AnalysisContext& context) {
  const NodeSpec& spec = context.spec;
  Analysis analysis;
  analysis.theory = {spec.name, "", ""};
  if (!config.fork) {
    analysis.theory.detail = "no fork's branches lead here";
    analysis.outputs = split(Flow{0, false, "no fork's branches lead to " + spec.name}, spec);
    return analysis;
  }
  const Scenario& scenario = context.scenario;
  const NodeSpec& fork_spec = scenario.nodes[*config.fork];
  const auto& fork = std::get<ForkConfig>(fork_spec.config);
  const std::size_t n = fork_spec.targets.size();
  const auto k = static_cast<std::size_t>(fork.wait_for.value_or(static_cast<std::int64_t>(n)));
  // Every parent sends one child down each branch, so parents arrive at 1/n of the child rate.
  const double lambda = context.input.rate / static_cast<double>(n);
  analysis.outputs =
      split(Flow{lambda, false,
                 fmt::format("departures of the fork-join section {} are not Poisson", spec.name)},
            spec);

  std::string why_not;
  const auto mean_service = identical_mm1_branches(scenario, *config.fork, context.index, why_not);
  if (k != n) {
    analysis.theory.detail =
        fmt::format("no closed form: waits for the first {} of {} children", k, n);
  } else if (n < 2) {
    analysis.theory.detail = "no closed form: a fork with a single branch";
  } else if (!mean_service) {
    analysis.theory.detail = "no closed form: " + why_not;
  } else if (!context.input.poisson) {
    // Each branch's output is Poisson exactly when its M/M/1 station is stable and Poisson-fed.
    analysis.theory.detail = "no closed form: " + context.input.why_not;
  } else {
    const double mu = 1 / *mean_service;
    const double rho = lambda / mu;
    if (n == 2) {
      const double response = analytic::fork_join_two_mm1(lambda, mu);
      analysis.theory.model = "fork-join over 2 M/M/1 branches (Flatto-Hahn)";
      analysis.theory.detail = fmt::format(
          "Poisson arrivals at {}/s, exponential service with mean {} s on each branch, "
          "rho = {}: R = (12 - rho)/8 / (mu - lambda) = {} s",
          format_number(lambda, 6), format_number(*mean_service, 6), format_number(rho),
          format_number(response));
      analysis.checks.push_back({context.index, "throughput", lambda});
      analysis.checks.push_back({context.index, "W", response});
      analysis.checks.push_back({context.index, "L", lambda * response});
    } else {
      const double approximate =
          analytic::fork_join_mm1_nelson_tantawi(static_cast<int>(n), lambda, mu);
      analysis.theory.detail = fmt::format(
          "{} identical M/M/1 branches, rho = {}: the Nelson-Tantawi approximation gives "
          "W ~= {} s ({}); an approximation, shown but not checked",
          n, format_number(rho), format_number(approximate),
          n <= kNelsonTantawiMaxBranches ? "published error below 5% for up to 32 branches"
                                         : "beyond the 32 branches its accuracy was shown for");
      analysis.checks.push_back({context.index, "throughput", lambda});
    }
  }
  return analysis;
}

std::optional<std::vector<double>> routing_fractions(const ForkConfig&, const NodeSpec&) {
  return std::nullopt;
}
std::optional<std::vector<double>> routing_fractions(const JoinConfig&, const NodeSpec&) {
  return std::nullopt;
}

}  // namespace capsim::models
