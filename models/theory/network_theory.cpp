#include "models/theory/network_theory.hpp"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <optional>
#include <variant>

#include "models/theory/analysis.hpp"

namespace capsim::models {

namespace {

Analysis analyse_node(const Scenario& scenario, std::size_t i, const Flow& input) {
  const AnalysisContext context{scenario, i, scenario.nodes[i], input};
  return std::visit([&](const auto& config) { return analyse(config, context); },
                    scenario.nodes[i].config);
}

// Nodes in an order where each comes after every node feeding it; shorter than the node list
// when routes loop back.
std::vector<std::size_t> topological_order(const Scenario& scenario) {
  const std::size_t n = scenario.nodes.size();
  std::vector<std::size_t> missing(n, 0);
  for (const auto& spec : scenario.nodes) {
    for (std::size_t t : spec.targets) ++missing[t];
  }
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < n; ++i) {
    if (missing[i] == 0) order.push_back(i);
  }
  for (std::size_t k = 0; k < order.size(); ++k) {
    for (std::size_t t : scenario.nodes[order[k]].targets) {
      if (--missing[t] == 0) order.push_back(t);
    }
  }
  return order;
}

// Mean arrival rate at every node of a network with feedback, from the traffic equations
// lambda = gamma + F^T lambda (F: fraction of each node's departures sent to each other node).
// Needs every node to route requests independently at random; otherwise says which does not.
std::variant<Eigen::VectorXd, std::string> traffic_equations(const Scenario& scenario) {
  const auto n = static_cast<Eigen::Index>(scenario.nodes.size());
  Eigen::MatrixXd system = Eigen::MatrixXd::Identity(n, n);
  Eigen::VectorXd external = Eigen::VectorXd::Zero(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const NodeSpec& spec = scenario.nodes[static_cast<std::size_t>(j)];
    const auto fractions = std::visit(
        [&](const auto& config) { return routing_fractions(config, spec); }, spec.config);
    if (!fractions)
      return fmt::format("{} ({}) does not route requests at random", spec.name, spec.type);
    for (std::size_t t = 0; t < spec.targets.size(); ++t) {
      system(static_cast<Eigen::Index>(spec.targets[t]), j) -= (*fractions)[t];
    }
    if (const auto* source = std::get_if<SourceConfig>(&spec.config)) {
      // Only plain Poisson sources make a Jackson network; others are caught by their analysis.
      if (source->plain()) external(j) = 1 / source->interarrival.mean();
    }
  }
  return Eigen::VectorXd(system.partialPivLu().solve(external));
}

std::string describe_cycle(const Scenario& scenario, const std::vector<std::size_t>& order) {
  std::vector<bool> ordered(scenario.nodes.size(), false);
  for (std::size_t i : order) ordered[i] = true;
  std::string names;
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    if (!ordered[i]) names += (names.empty() ? "" : ", ") + scenario.nodes[i].name;
  }
  return names;
}

// The analysis of every node: in topological order when routes are acyclic, from the traffic
// equations (Jackson's theorem) when they loop back.
std::vector<Analysis> analyse_network(const Scenario& scenario, std::string& network_model) {
  if (auto closed = analyse_closed_network(scenario, network_model)) return *closed;
  const std::size_t n = scenario.nodes.size();
  std::vector<Analysis> analyses(n);
  const std::vector<std::size_t> order = topological_order(scenario);

  if (order.size() == n) {
    std::vector<std::vector<Flow>> inbound(n);
    for (std::size_t i : order) {
      analyses[i] = analyse_node(scenario, i, merge(inbound[i]));
      const auto& targets = scenario.nodes[i].targets;
      for (std::size_t t = 0; t < targets.size() && t < analyses[i].outputs.size(); ++t) {
        inbound[targets[t]].push_back(analyses[i].outputs[t]);
      }
    }
    network_model = "feed-forward network of product-form nodes";
    return analyses;
  }

  const std::string loop = describe_cycle(scenario, order);
  const auto rates = traffic_equations(scenario);
  std::string obstacle;
  if (const auto* reason = std::get_if<std::string>(&rates)) {
    obstacle = *reason;
  } else {
    const auto& lambda = std::get<Eigen::VectorXd>(rates);
    // Jackson's theorem: with Poisson sources, random routing and M/M/c or infinite-server
    // nodes, each node behaves in steady state like an isolated one fed by Poisson arrivals at
    // its total rate, although the arrivals themselves are not Poisson.
    for (std::size_t i = 0; i < n; ++i) {
      analyses[i] = analyse_node(scenario, i, Flow{lambda(static_cast<Eigen::Index>(i)), true, ""});
      if (!analyses[i].product_form_population && obstacle.empty()) {
        obstacle = fmt::format(
            "{} is not a product-form node ({})", scenario.nodes[i].name,
            analyses[i].theory.detail.empty() ? scenario.nodes[i].type : analyses[i].theory.detail);
      }
    }
    if (obstacle.empty()) {
      for (auto& analysis : analyses) {
        if (!analysis.theory.model.empty()) {
          analysis.theory.detail += "; in a Jackson network (traffic equations give the rate)";
        }
      }
      network_model = "open Jackson network";
      return analyses;
    }
  }
  // Feedback without product form: no closed form anywhere downstream of the loop; say why.
  for (std::size_t i = 0; i < n; ++i) {
    analyses[i] = Analysis{};
    analyses[i].theory = {
        scenario.nodes[i].name, "",
        fmt::format("no closed form: requests loop back through {}, and {}", loop, obstacle)};
  }
  return analyses;
}

// Every node is product-form: the system holds the sum of their mean populations, and
// Little's law gives the end-to-end mean sojourn of all departures. With error sinks, successes
// and failures take different routes, so only all of them together have W = L / lambda, and the
// error ratio is the (exact) rate into error sinks over the total arrival rate.
void plan_end_to_end(TheoryPlan& plan, std::size_t end_to_end, const std::string& network_model,
                     double network_L, double network_rate, std::optional<double> failure_rate) {
  plan.checks.push_back({end_to_end, "L", network_L});
  if (!failure_rate) {
    plan.checks.push_back({end_to_end, "W", network_L / network_rate});
    plan.nodes.push_back(
        {"end to end", network_model, "sum of the nodes' L; W = L / total arrival rate"});
    return;
  }
  plan.checks.push_back({end_to_end, "W_departures", network_L / network_rate});
  plan.checks.push_back({end_to_end, "error_ratio", *failure_rate / network_rate});
  plan.nodes.push_back({"end to end", network_model,
                        "sum of the nodes' L; W_departures = L / total arrival rate (every "
                        "departure, failed ones included); error_ratio = rate into error sinks / "
                        "total arrival rate"});
}

}  // namespace

TheoryPlan plan_theory(const Scenario& scenario) {
  TheoryPlan plan;
  const std::size_t n = scenario.nodes.size();
  std::string network_model;
  const std::vector<Analysis> analyses = analyse_network(scenario, network_model);
  bool product_form = true;
  double network_L = 0;
  double network_rate = 0;
  std::optional<double> failure_rate;  // into error sinks, if there are any
  for (std::size_t i = 0; i < n; ++i) {
    const Analysis& analysis = analyses[i];
    if (!analysis.theory.model.empty() || !analysis.theory.detail.empty()) {
      plan.nodes.push_back(analysis.theory);
    }
    plan.checks.insert(plan.checks.end(), analysis.checks.begin(), analysis.checks.end());
    plan.warnings.insert(plan.warnings.end(), analysis.warnings.begin(), analysis.warnings.end());
    if (analysis.product_form_population) {
      network_L += *analysis.product_form_population;
    } else {
      product_form = false;
    }
    if (const auto* source = std::get_if<SourceConfig>(&scenario.nodes[i].config)) {
      if (source->plain()) network_rate += 1 / source->interarrival.mean();
    }
    if (analysis.failure_rate) failure_rate = failure_rate.value_or(0) + *analysis.failure_rate;
  }
  if (product_form && network_rate > 0)
    plan_end_to_end(plan, n, network_model, network_L, network_rate, failure_rate);
  return plan;
}

std::map<std::pair<std::size_t, std::string>, double> closed_forms(const Scenario& scenario) {
  std::map<std::pair<std::size_t, std::string>, double> values;
  for (const PlannedCheck& check : plan_theory(scenario).checks) {
    values[{check.node, check.metric}] = check.theory;
  }
  return values;
}

}  // namespace capsim::models
