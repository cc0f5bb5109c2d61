#include "models/theory_check.hpp"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <variant>

#include "models/report.hpp"
#include "models/theory_analysis.hpp"
#include "sim/quantile_histogram.hpp"

namespace capsim::models {

namespace {

constexpr double kClockUlps = 4;

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

// Every closed form that applies, from the scenario alone.
struct TheoryPlan {
  std::vector<NodeTheory> nodes;
  std::vector<PlannedCheck> checks;
  std::vector<std::string> warnings;
};

TheoryPlan plan_theory(const Scenario& scenario) {
  TheoryPlan plan;
  const std::size_t n = scenario.nodes.size();
  std::string network_model;
  const std::vector<Analysis> analyses = analyse_network(scenario, network_model);
  bool product_form = true;
  double network_L = 0;
  double network_rate = 0;
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
  }
  if (product_form && network_rate > 0) {
    // Every node is product-form: the system holds the sum of their mean populations, and
    // Little's law gives the end-to-end mean sojourn.
    plan.checks.push_back({n, "L", network_L});
    plan.checks.push_back({n, "W", network_L / network_rate});
    plan.nodes.push_back(
        {"end to end", network_model, "sum of the nodes' L; W = L / total arrival rate"});
  }
  return plan;
}

}  // namespace

bool Validation::passed() const {
  return std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.agrees; });
}

std::size_t Validation::judged_count() const {
  return static_cast<std::size_t>(
      std::count_if(checks.begin(), checks.end(), [](const Check& c) { return c.judged; }));
}

std::map<std::pair<std::size_t, std::string>, double> closed_forms(const Scenario& scenario) {
  std::map<std::pair<std::size_t, std::string>, double> values;
  for (const PlannedCheck& check : plan_theory(scenario).checks) {
    values[{check.node, check.metric}] = check.theory;
  }
  return values;
}

Validation validate(const Scenario& scenario, const RunResult& result) {
  Validation validation;
  const std::size_t n = scenario.nodes.size();
  const std::size_t end_to_end = n;

  TheoryPlan theory = plan_theory(scenario);
  validation.nodes = std::move(theory.nodes);
  validation.warnings = std::move(theory.warnings);
  validation.warnings.insert(validation.warnings.end(), result.diagnostic.warnings.begin(),
                             result.diagnostic.warnings.end());
  const std::vector<PlannedCheck>& plan = theory.checks;

  // Little's law wherever a time-average population and a sojourn are both measured.
  struct LittleSite {
    std::size_t node;
    const char* rate;
    const char* sojourn;
  };
  std::vector<LittleSite> little;
  for (std::size_t i = 0; i < n; ++i) {
    if (result.nodes[i].find("L") && result.nodes[i].find("W") &&
        result.nodes[i].find("throughput")) {
      little.push_back({i, "throughput", "W"});
    }
  }
  // End to end, rejected requests also spend time in the system until they are turned away.
  little.push_back({end_to_end, "departure_rate", "W_departures"});

  const auto limits = static_cast<std::size_t>(
      std::count_if(plan.begin(), plan.end(), [](const PlannedCheck& p) { return p.limit; }));
  const std::size_t check_count = plan.size() - limits + little.size();
  const double alpha = 1 - validation.family_confidence;
  validation.check_confidence =
      1 - alpha / static_cast<double>(std::max<std::size_t>(1, check_count));

  auto node_name = [&](std::size_t i) {
    return i == end_to_end ? std::string("end to end") : scenario.nodes[i].name;
  };
  auto summary_of = [&](std::size_t i) -> const NodeSummary& {
    return i == end_to_end ? result.system : result.nodes[i];
  };

  for (const PlannedCheck& p : plan) {
    Check check;
    check.node = node_name(p.node);
    check.metric = p.metric;
    check.reference = p.theory;
    check.simulated = *summary_of(p.node).find(p.metric);
    const sim::Estimate wide =
        estimate_metric(result, p.node, p.metric, validation.check_confidence);
    // A deterministic quantity has no spread across replications; what remains is rounding
    // of time stamps, a few ulps of the clock at the end of the run.
    check.tolerance = wide.half_width + kClockUlps * std::numeric_limits<double>::epsilon() *
                                            (scenario.warmup + scenario.duration);
    if (p.percentile) {
      check.tolerance += sim::QuantileHistogram::kRelativeError * std::fabs(p.theory);
      check.note = "tolerance includes the histogram's 0.39% resolution";
    }
    if (p.approximation_error > 0) {
      check.tolerance += p.approximation_error;
      check.note = fmt::format("approximation: tolerance includes {}'s stated error {}",
                               p.approximation, format_number(p.approximation_error, 3));
    }
    check.agrees = std::fabs(wide.mean - p.theory) <= check.tolerance;
    if (p.limit) {
      check.judged = false;
      check.agrees = true;
      check.tolerance = 0;
      check.note = "asymptotic limit: shown, not judged";
    }
    validation.checks.push_back(check);
  }

  for (const LittleSite& site : little) {
    const auto L = per_replication(result, site.node, "L");
    const auto rate = per_replication(result, site.node, site.rate);
    const auto sojourn = per_replication(result, site.node, site.sojourn);
    const auto start = per_replication(result, site.node, "in_system.start");
    const auto end = per_replication(result, site.node, "in_system.end");
    std::vector<double> difference(L.size());
    double boundary = 0;  // requests straddling the window's edges: the known bias of L - X W
    for (std::size_t r = 0; r < L.size(); ++r) {
      const double w = std::isnan(sojourn[r]) ? 0 : sojourn[r];
      difference[r] = L[r] - rate[r] * w;
      boundary += (start[r] + end[r]) * w / scenario.duration / static_cast<double>(L.size());
    }
    Check check;
    check.node = node_name(site.node);
    check.metric = "Little's law";
    check.simulated = sim::estimate(difference, result.confidence);
    const sim::Estimate wide = sim::estimate(difference, validation.check_confidence);
    check.reference = 0;
    // With nobody at the window's edges, L - X W is pure rounding of time stamps.
    double mean_rate = 0;
    for (double x : rate) mean_rate += x / static_cast<double>(rate.size());
    const double rounding = kClockUlps * std::numeric_limits<double>::epsilon() *
                            (scenario.warmup + scenario.duration) * (1 + mean_rate);
    check.tolerance = std::max(wide.half_width, boundary) + rounding;
    check.agrees = std::isfinite(wide.mean) && std::fabs(wide.mean) <= check.tolerance;
    check.note = fmt::format("L - X W, L = {}", format_estimate(*summary_of(site.node).find("L")));
    validation.checks.push_back(check);
  }

  // Flow balance is exact bookkeeping in every replication: arrivals + present at the start
  // = completions + rejections + present at the end.
  for (std::size_t i = 0; i <= n; ++i) {
    if (i < n &&
        (!result.nodes[i].find("in_system.start") || !result.nodes[i].find("rejections"))) {
      continue;
    }
    const auto arrivals = per_replication(result, i, "arrivals");
    const auto completions = per_replication(result, i, "completions");
    const auto rejections = per_replication(result, i, "rejections");
    const auto start = per_replication(result, i, "in_system.start");
    const auto end = per_replication(result, i, "in_system.end");
    double worst = 0;
    for (std::size_t r = 0; r < arrivals.size(); ++r) {
      worst = std::max(worst,
                       std::fabs(arrivals[r] + start[r] - completions[r] - rejections[r] - end[r]));
    }
    Check check;
    check.node = node_name(i);
    check.metric = "flow balance";
    check.simulated = {worst, 0, arrivals.size()};
    check.agrees = worst == 0;
    check.note =
        "arrivals + present at start - completions - rejections - present at end, "
        "largest over replications";
    validation.checks.push_back(check);
  }
  return validation;
}

std::string format_validation(const Scenario& scenario, const Validation& validation) {
  std::string out = fmt::format(
      "{} ({}): seed {}, {} replications of {} s after a {} s warm-up\n"
      "A check agrees when |simulated - theory| is within its confidence interval at {:.4g}% "
      "(Bonferroni: all {} checks at {:g}% together); ± shows the 95% interval.\n\n",
      scenario.name, scenario.file, scenario.seed, scenario.replications,
      format_number(scenario.duration, 6), format_number(scenario.warmup, 6),
      100 * validation.check_confidence, validation.judged_count(),
      100 * validation.family_confidence);

  for (const auto& warning : validation.warnings) out += "warning: " + warning + "\n";
  if (!validation.warnings.empty()) out += "\n";

  for (const NodeTheory& node : validation.nodes) {
    out += node.model.empty() ? fmt::format("{}: {}\n", node.node, node.detail)
                              : fmt::format("{}: {}: {}\n", node.node, node.model, node.detail);
  }
  out += "\n";

  TextTable table({"node", "metric", "simulated", "theory", "tolerance", "verdict"}, 2);
  std::size_t disagreements = 0;
  for (const Check& c : validation.checks) {
    const bool exact = c.metric == "flow balance";
    if (!c.agrees) ++disagreements;
    table.add({c.node, c.metric,
               exact ? fmt::format("{:g}", c.simulated.mean) : format_estimate(c.simulated),
               exact ? "0" : format_number(c.reference, 6),
               exact ? "exact" : (c.judged ? "± " + format_number(c.tolerance, 3) : "limit"),
               c.judged ? (c.agrees ? "ok" : "DISAGREES") : "shown"});
  }
  out += table.render();
  const std::size_t judged = validation.judged_count();
  const std::size_t shown = validation.checks.size() - judged;
  out += fmt::format("\n{} of {} checks agree{}{}\n", judged - disagreements, judged,
                     disagreements == 0 ? "" : fmt::format("; {} disagree", disagreements),
                     shown == 0 ? ""
                                : fmt::format("; {} asymptotic limit{} shown, not judged", shown,
                                              shown == 1 ? "" : "s"));
  return out;
}

}  // namespace capsim::models
