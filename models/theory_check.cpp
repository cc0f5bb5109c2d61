#include "models/theory_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/report.hpp"
#include "sim/analytic/queueing.hpp"
#include "sim/quantile_histogram.hpp"

namespace capsim::models {

namespace {

// What is known about the stream of requests entering or leaving a node.
struct Flow {
  double rate = 0;      // mean requests per second
  bool poisson = true;  // a (merged) Poisson process
  std::string why_not;  // when not Poisson: the first reason found
};

Flow merge(const std::vector<Flow>& flows) {
  Flow merged;
  for (const Flow& flow : flows) {
    merged.rate += flow.rate;
    if (!flow.poisson && merged.poisson) {
      merged.poisson = false;
      merged.why_not = flow.why_not;
    }
  }
  return merged;
}

std::string kendall_letter(const sim::Distribution& distribution) {
  switch (distribution.kind()) {
    case sim::Distribution::Kind::exponential:
      return "M";
    case sim::Distribution::Kind::deterministic:
      return "D";
    default:
      if (distribution.name() == "erlang") {
        return fmt::format("E{}", static_cast<int>(std::lround(1 / distribution.scv())));
      }
      return "G";
  }
}

// A check to be made once the number of checks (for the Bonferroni correction) is known.
struct Planned {
  std::size_t node;  // index into the scenario, or nodes.size() for end to end
  std::string metric;
  double theory = 0;
  bool percentile = false;
};

void plan_station_metrics(std::vector<Planned>& plan, std::size_t node,
                          const analytic::StationMetrics& m, bool finite) {
  plan.push_back({node, "throughput", m.throughput});
  plan.push_back({node, "utilization", m.utilization});
  if (finite) plan.push_back({node, "rejection_ratio", m.blocking});
  plan.push_back({node, "L", m.L});
  plan.push_back({node, "Lq", m.Lq});
  plan.push_back({node, "W", m.W});
  plan.push_back({node, "Wq", m.Wq});
  plan.push_back({node, "p_wait", m.p_wait});
}

void plan_mmc_percentiles(std::vector<Planned>& plan, std::size_t node, double lambda, double mu,
                          int servers) {
  for (const auto& [level, suffix] : kPercentiles) {
    plan.push_back({node, std::string("wait.") + suffix,
                    analytic::mmc_wait_quantile(lambda, mu, servers, level), true});
    plan.push_back({node, std::string("sojourn.") + suffix,
                    analytic::mmc_sojourn_quantile(lambda, mu, servers, level), true});
  }
}

}  // namespace

bool Validation::passed() const {
  return std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.agrees; });
}

Validation validate(const Scenario& scenario, const RunResult& result) {
  Validation validation;
  const std::size_t n = scenario.nodes.size();
  const std::size_t end_to_end = n;

  // Nodes in an order where every node comes after those feeding it (routes are acyclic).
  std::vector<std::vector<std::size_t>> feeders(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t t : scenario.nodes[i].targets) feeders[t].push_back(i);
  }
  std::vector<std::size_t> order;
  std::vector<std::size_t> missing(n);
  for (std::size_t i = 0; i < n; ++i) missing[i] = feeders[i].size();
  for (std::size_t i = 0; i < n; ++i) {
    if (missing[i] == 0) order.push_back(i);
  }
  for (std::size_t k = 0; k < order.size(); ++k) {
    for (std::size_t t : scenario.nodes[order[k]].targets) {
      if (--missing[t] == 0) order.push_back(t);
    }
  }

  std::vector<Flow> output(n);
  std::vector<Planned> plan;
  bool network_is_jackson = true;  // every station M/M/c, unlimited, stable, Poisson-fed
  double network_L = 0;
  double network_rate = 0;

  for (std::size_t i : order) {
    const NodeSpec& spec = scenario.nodes[i];
    std::vector<Flow> inbound;
    for (std::size_t f : feeders[i]) inbound.push_back(output[f]);
    const Flow input = merge(inbound);

    if (const auto* source = std::get_if<SourceConfig>(&spec.config)) {
      const bool poisson = source->interarrival.kind() == sim::Distribution::Kind::exponential;
      output[i] = {1 / source->interarrival.mean(), poisson,
                   poisson ? ""
                           : fmt::format("source {} has {} inter-arrival times, not exponential",
                                         spec.name, source->interarrival.name())};
      network_rate += output[i].rate;
      if (!poisson) network_is_jackson = false;
      continue;
    }
    const auto* station = std::get_if<StationConfig>(&spec.config);
    if (station == nullptr) continue;  // sinks have no queue to compare

    const int c = station->servers;
    const double mean_service = station->service.mean();
    const double mu = 1 / mean_service;
    const std::string model =
        fmt::format("M/{}/{}{}", kendall_letter(station->service), c,
                    station->capacity ? fmt::format("/{}", *station->capacity) : "");
    NodeTheory theory{spec.name, "", ""};
    output[i] = {input.rate, false, ""};
    const bool exponential = station->service.kind() == sim::Distribution::Kind::exponential;
    if (!exponential || station->capacity) network_is_jackson = false;

    if (!input.poisson) {
      theory.detail = "no closed form: arrivals are not Poisson (" + input.why_not + ")";
      output[i].why_not = fmt::format("{} is fed by non-Poisson arrivals", spec.name);
      network_is_jackson = false;
    } else if (station->capacity) {
      if (exponential) {
        const auto m = analytic::mmck(input.rate, mu, c, static_cast<int>(*station->capacity));
        theory.model = model + (*station->capacity == c ? " (Erlang B loss system)" : "");
        theory.detail = fmt::format("Poisson arrivals at {}/s, exponential service with mean {} s",
                                    format_number(input.rate, 6), format_number(mean_service, 6));
        plan_station_metrics(plan, i, m, true);
        output[i].rate = m.throughput;
        output[i].why_not =
            fmt::format("departures of the {} station {} are not Poisson", model, spec.name);
      } else {
        theory.detail = fmt::format("no closed form for {} ({} service, finite capacity)", model,
                                    station->service.name());
        output[i].why_not = fmt::format("departures of {} are not Poisson", spec.name);
      }
    } else if (input.rate * mean_service >= c) {
      validation.warnings.push_back(fmt::format(
          "station {} is unstable: offered load {} erlangs on {} server(s) (rho = {} >= 1) with "
          "no capacity limit; its queue grows without bound, so no steady state exists and its "
          "simulated means grow with the run length",
          spec.name, format_number(input.rate * mean_service), c,
          format_number(input.rate * mean_service / c)));
      theory.detail = "no closed form: unstable (rho >= 1)";
      output[i].why_not = fmt::format("{} is unstable", spec.name);
      network_is_jackson = false;
    } else if (exponential) {
      const auto m = analytic::mmc(input.rate, mu, c);
      theory.model = model;
      theory.detail = fmt::format(
          "Poisson arrivals at {}/s, exponential service with mean {} s; "
          "rho = {}",
          format_number(input.rate, 6), format_number(mean_service, 6),
          format_number(m.utilization));
      plan_station_metrics(plan, i, m, false);
      plan_mmc_percentiles(plan, i, input.rate, mu, c);
      network_L += m.L;
      // Burke's theorem: a stable M/M/c queue's departures are Poisson at the arrival rate.
      output[i] = {input.rate, true, ""};
    } else if (c == 1) {
      const auto m = analytic::mg1(input.rate, mean_service, station->service.scv());
      theory.model = model;
      theory.detail = fmt::format(
          "Poisson arrivals at {}/s, {} service with mean {} s and scv {} (Pollaczek-Khinchine); "
          "rho = {}; no closed form for its percentiles",
          format_number(input.rate, 6), station->service.name(), format_number(mean_service, 6),
          format_number(station->service.scv()), format_number(m.utilization));
      plan_station_metrics(plan, i, m, false);
      output[i].why_not =
          fmt::format("departures of the {} station {} are not Poisson", model, spec.name);
    } else {
      theory.detail = fmt::format("no closed form for {} ({} service on {} servers)", model,
                                  station->service.name(), c);
      output[i].why_not = fmt::format("departures of {} are not Poisson", spec.name);
    }
    validation.nodes.push_back(theory);
  }

  if (network_is_jackson && network_rate > 0) {
    // Every station is a stable M/M/c fed by Poisson streams: the system holds the sum of
    // their populations, and Little's law gives the end-to-end mean sojourn.
    plan.push_back({end_to_end, "L", network_L});
    plan.push_back({end_to_end, "W", network_L / network_rate});
    validation.nodes.push_back({"end to end", "feed-forward network of M/M/c stations",
                                "sum of the stations' L; W = L / total arrival rate"});
  }

  // Little's law wherever a time-average population and a sojourn are both measured.
  struct LittleSite {
    std::size_t node;
    const char* rate;
    const char* sojourn;
  };
  std::vector<LittleSite> little;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::holds_alternative<StationConfig>(scenario.nodes[i].config)) {
      little.push_back({i, "throughput", "W"});
    }
  }
  // End to end, rejected requests also spend time in the system until they are turned away.
  little.push_back({end_to_end, "departure_rate", "W_departures"});

  const std::size_t check_count = plan.size() + little.size();
  const double alpha = 1 - validation.family_confidence;
  validation.check_confidence =
      1 - alpha / static_cast<double>(std::max<std::size_t>(1, check_count));

  auto node_name = [&](std::size_t i) {
    return i == end_to_end ? std::string("end to end") : scenario.nodes[i].name;
  };
  auto summary_of = [&](std::size_t i) -> const NodeSummary& {
    return i == end_to_end ? result.system : result.nodes[i];
  };

  for (const Planned& p : plan) {
    Check check;
    check.node = node_name(p.node);
    check.metric = p.metric;
    check.reference = p.theory;
    check.simulated = *summary_of(p.node).find(p.metric);
    const sim::Estimate wide =
        estimate_metric(result, p.node, p.metric, validation.check_confidence);
    check.tolerance = wide.half_width;
    if (p.percentile) {
      check.tolerance += sim::QuantileHistogram::kRelativeError * std::fabs(p.theory);
      check.note = "tolerance includes the histogram's 0.39% resolution";
    }
    check.agrees = std::fabs(wide.mean - p.theory) <= check.tolerance;
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
    check.tolerance = std::max(wide.half_width, boundary);
    check.agrees = std::isfinite(wide.mean) && std::fabs(wide.mean) <= check.tolerance;
    check.note = fmt::format("L - X W, L = {}", format_estimate(*summary_of(site.node).find("L")));
    validation.checks.push_back(check);
  }

  // Flow balance is exact bookkeeping in every replication: arrivals + present at the start
  // = completions + rejections + present at the end.
  for (std::size_t i = 0; i <= n; ++i) {
    if (i < n && !std::holds_alternative<StationConfig>(scenario.nodes[i].config)) continue;
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
      100 * validation.check_confidence, validation.checks.size(),
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
               exact ? "exact" : "± " + format_number(c.tolerance, 3),
               c.agrees ? "ok" : "DISAGREES"});
  }
  out += table.render();
  out += fmt::format("\n{} of {} checks agree{}\n", validation.checks.size() - disagreements,
                     validation.checks.size(),
                     disagreements == 0 ? "" : fmt::format("; {} disagree", disagreements));
  return out;
}

}  // namespace capsim::models
