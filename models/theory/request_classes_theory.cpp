// validate for stations whose classes matter: non-preemptive priority (Cobham) and per-class
// service times.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/io/text_format.hpp"
#include "models/nodes/request_classes.hpp"
#include "models/theory/analysis.hpp"
#include "sim/analytic/priority.hpp"
#include "sim/analytic/queueing.hpp"

namespace capsim::models {

namespace {

// Each class's Poisson arrival rate at station `index`, when only sources feed it; else why not.
std::optional<std::vector<double>> class_rates(const Scenario& scenario, std::size_t index,
                                               std::string& why_not) {
  std::vector<double> rates(scenario.classes.size(), 0.0);
  for (const NodeSpec& feeder : scenario.nodes) {
    for (std::size_t t = 0; t < feeder.targets.size(); ++t) {
      if (feeder.targets[t] != index) continue;
      const auto* source = std::get_if<SourceConfig>(&feeder.config);
      if (source == nullptr) {
        why_not = fmt::format(
            "per-class arrival rates are known only when sources feed the station directly "
            "({} is a {})",
            feeder.name, feeder.type);
        return std::nullopt;
      }
      if (!source->plain()) {
        why_not = fmt::format("arrivals are not Poisson (source {} has a rate profile, a trace or "
                              "batches)",
                              feeder.name);
        return std::nullopt;
      }
      if (source->interarrival.kind() != sim::Distribution::Kind::exponential) {
        why_not = fmt::format("arrivals are not Poisson (source {} has {} inter-arrival times)",
                              feeder.name, source->interarrival.name());
        return std::nullopt;
      }
      // Independent random routing of a Poisson stream keeps each part Poisson.
      const double share = feeder.probabilities.empty() ? 1.0 : feeder.probabilities[t];
      rates[source->request_class] += share / source->interarrival.mean();
    }
  }
  return rates;
}

const sim::Distribution& service_of(const StationConfig& station, std::uint32_t request_class) {
  for (const ClassService& entry : station.service_by_class) {
    if (entry.request_class == request_class) return entry.service;
  }
  return station.service;
}

}  // namespace

Analysis analyse_station_with_classes(const StationConfig& station,
                                      const AnalysisContext& context) {
  const Scenario& scenario = context.scenario;
  const NodeSpec& spec = context.spec;
  const std::size_t node = context.index;
  const int c = station.servers;
  const bool by_priority = station.discipline == Discipline::priority;
  Analysis analysis;
  analysis.theory = {spec.name, "", ""};
  Flow departures{
      context.input.rate, false,
      fmt::format("departures of the multi-class station {} are not Poisson", spec.name)};
  analysis.outputs = split(departures, spec);

  std::string why_not;
  const auto rates = class_rates(scenario, node, why_not);
  if (!rates) {
    analysis.theory.detail = "no closed form: " + why_not;
    return analysis;
  }
  if (station.capacity) {
    analysis.theory.detail = "no closed form for classes at a station with a capacity limit";
    return analysis;
  }

  // The classes present, as the analytic functions see them; FIFO is a single priority level.
  std::vector<analytic::PriorityClass> present;
  std::vector<std::uint32_t> present_index;
  double lambda = 0, work = 0;
  for (std::uint32_t k = 0; k < rates->size(); ++k) {
    if ((*rates)[k] <= 0) continue;
    const sim::Distribution& service = service_of(station, k);
    present.push_back({(*rates)[k], service.mean(), service.scv(),
                       by_priority ? scenario.classes[k].priority : 0});
    present_index.push_back(k);
    lambda += (*rates)[k];
    work += (*rates)[k] * service.mean();
  }
  if (present.empty()) {
    analysis.theory.detail = "no closed form: no source sends requests here";
    return analysis;
  }
  if (work >= c) {
    analysis.warnings.push_back(fmt::format(
        "station {} is unstable: offered load {} erlangs on {} server(s) (rho >= 1) with no "
        "capacity limit; no steady state exists",
        spec.name, format_number(work), c));
    analysis.theory.detail = "no closed form: unstable (rho >= 1)";
    return analysis;
  }

  std::vector<double> waits;
  const char* discipline = by_priority ? "non-preemptive priority" : "FIFO";
  if (c == 1) {
    if (std::any_of(present.begin(), present.end(),
                    [](const auto& k) { return !std::isfinite(k.service_scv); })) {
      analysis.theory.detail = "no closed form: a class's service time has infinite variance";
      return analysis;
    }
    waits = analytic::mg1_priority_waits(present);
    analysis.theory.model = fmt::format("M/G/1 with {} classes, {}", present.size(), discipline);
    analysis.theory.detail =
        by_priority ? "Cobham: Wq_k = W0 / ((1 - sigma_{<k})(1 - sigma_{<=k})), W0 = sum "
                      "lambda_i E[S_i^2] / 2"
                    : "Pollaczek-Khinchine on the mixture of the classes' service times";
  } else {
    const sim::Distribution& first = service_of(station, present_index.front());
    const bool equal_exponential =
        std::all_of(present_index.begin(), present_index.end(), [&](std::uint32_t k) {
          const sim::Distribution& service = service_of(station, k);
          return service.kind() == sim::Distribution::Kind::exponential &&
                 service.mean() == first.mean();
        });
    if (!equal_exponential) {
      analysis.theory.detail = fmt::format(
          "no closed form for {} classes on {} servers unless every class has exponential "
          "service with the same mean",
          present.size(), c);
      return analysis;
    }
    std::vector<double> class_lambdas;
    std::vector<int> priorities;
    for (const auto& k : present) {
      class_lambdas.push_back(k.arrival_rate);
      priorities.push_back(k.priority);
    }
    waits = analytic::mmc_priority_waits(class_lambdas, priorities, 1 / first.mean(), c);
    analysis.theory.model =
        fmt::format("M/M/{} with {} classes, {}", c, present.size(), discipline);
    analysis.theory.detail = "Wq_k = C(c, a) / (c mu) / ((1 - sigma_{<k})(1 - sigma_{<=k}))";
  }

  analytic::StationMetrics total;
  for (std::size_t i = 0; i < present.size(); ++i) {
    const std::string& name = scenario.classes[present_index[i]].name;
    const double sojourn = waits[i] + present[i].mean_service;
    if (scenario.classes.size() > 1) {  // stations measure per class only then
      analysis.checks.push_back({node, "throughput." + name, present[i].arrival_rate});
      analysis.checks.push_back({node, "Wq." + name, waits[i]});
      analysis.checks.push_back({node, "W." + name, sojourn});
    }
    analysis.theory.detail += fmt::format(
        "; {}: {}/s, E[S] = {} s, Wq = {} s", name, format_number(present[i].arrival_rate, 6),
        format_number(present[i].mean_service, 6), format_number(waits[i]));
    total.Lq += present[i].arrival_rate * waits[i];
    total.L += present[i].arrival_rate * sojourn;
  }
  total.arrival_rate = total.throughput = lambda;
  total.utilization = work / c;
  total.Wq = total.Lq / lambda;
  total.W = total.L / lambda;
  // A work-conserving non-preemptive discipline leaves the busy periods of FIFO unchanged, so an
  // arrival waits exactly when all servers are busy (PASTA): rho for one server, Erlang C for c
  // equal exponential servers.
  total.p_wait = c == 1 ? work : analytic::erlang_c(c, work);
  plan_station_metrics(analysis.checks, node, total, false);
  analysis.theory.detail =
      fmt::format("Poisson arrivals per class from their sources; {}", analysis.theory.detail);
  return analysis;
}

}  // namespace capsim::models
