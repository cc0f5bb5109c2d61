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

// The classes that reach a station, as the analytic functions see them; FIFO is a single
// priority level.
struct PresentClasses {
  std::vector<analytic::PriorityClass> classes;
  std::vector<std::uint32_t> index;  // of each in Scenario::classes
  double lambda = 0;                 // total arrival rate
  double work = 0;                   // offered load, erlangs
};

PresentClasses present_classes(const StationConfig& station, const Scenario& scenario,
                               const std::vector<double>& rates) {
  const bool by_priority = station.discipline == Discipline::priority;
  PresentClasses present;
  for (std::uint32_t k = 0; k < rates.size(); ++k) {
    if (rates[k] <= 0) continue;
    const sim::Distribution& service = service_of(station, k);
    present.classes.push_back(
        {rates[k], service.mean(), service.scv(), by_priority ? scenario.classes[k].priority : 0});
    present.index.push_back(k);
    present.lambda += rates[k];
    present.work += rates[k] * service.mean();
  }
  return present;
}

const char* discipline_name(const StationConfig& station) {
  return station.discipline == Discipline::priority ? "non-preemptive priority" : "FIFO";
}

// One server: Cobham's priority formula (Pollaczek-Khinchine for FIFO), with any service.
std::optional<std::vector<double>> single_server_waits(Analysis& analysis,
                                                       const StationConfig& station,
                                                       const PresentClasses& present) {
  const auto& classes = present.classes;
  if (std::any_of(classes.begin(), classes.end(),
                  [](const auto& k) { return !std::isfinite(k.service_scv); })) {
    analysis.theory.detail = "no closed form: a class's service time has infinite variance";
    return std::nullopt;
  }
  analysis.theory.model =
      fmt::format("M/G/1 with {} classes, {}", classes.size(), discipline_name(station));
  analysis.theory.detail =
      station.discipline == Discipline::priority
          ? "Cobham: Wq_k = W0 / ((1 - sigma_{<k})(1 - sigma_{<=k})), W0 = sum "
            "lambda_i E[S_i^2] / 2"
          : "Pollaczek-Khinchine on the mixture of the classes' service times";
  return analytic::mg1_priority_waits(classes);
}

// Several servers: the M/M/c priority formula, which needs one exponential service for all.
std::optional<std::vector<double>> multi_server_waits(Analysis& analysis,
                                                      const StationConfig& station,
                                                      const PresentClasses& present) {
  const int c = station.servers;
  const sim::Distribution& first = service_of(station, present.index.front());
  const bool equal_exponential =
      std::all_of(present.index.begin(), present.index.end(), [&](std::uint32_t k) {
        const sim::Distribution& service = service_of(station, k);
        return service.kind() == sim::Distribution::Kind::exponential &&
               service.mean() == first.mean();
      });
  if (!equal_exponential) {
    analysis.theory.detail = fmt::format(
        "no closed form for {} classes on {} servers unless every class has exponential "
        "service with the same mean",
        present.classes.size(), c);
    return std::nullopt;
  }
  std::vector<double> class_lambdas;
  std::vector<int> priorities;
  for (const auto& k : present.classes) {
    class_lambdas.push_back(k.arrival_rate);
    priorities.push_back(k.priority);
  }
  analysis.theory.model = fmt::format("M/M/{} with {} classes, {}", c, present.classes.size(),
                                      discipline_name(station));
  analysis.theory.detail = "Wq_k = C(c, a) / (c mu) / ((1 - sigma_{<k})(1 - sigma_{<=k}))";
  return analytic::mmc_priority_waits(class_lambdas, priorities, 1 / first.mean(), c);
}

// Plans each class's checks (with several classes) and the station's totals.
void plan_class_checks(Analysis& analysis, const AnalysisContext& context, int c,
                       const PresentClasses& present, const std::vector<double>& waits) {
  const Scenario& scenario = context.scenario;
  const std::size_t node = context.index;
  analytic::StationMetrics total;
  for (std::size_t i = 0; i < present.classes.size(); ++i) {
    const analytic::PriorityClass& of_class = present.classes[i];
    const std::string& name = scenario.classes[present.index[i]].name;
    const double sojourn = waits[i] + of_class.mean_service;
    if (scenario.classes.size() > 1) {  // stations measure per class only then
      analysis.checks.push_back({node, "throughput." + name, of_class.arrival_rate});
      analysis.checks.push_back({node, "Wq." + name, waits[i]});
      analysis.checks.push_back({node, "W." + name, sojourn});
    }
    analysis.theory.detail += fmt::format(
        "; {}: {}/s, E[S] = {} s, Wq = {} s", name, format_number(of_class.arrival_rate, 6),
        format_number(of_class.mean_service, 6), format_number(waits[i]));
    total.Lq += of_class.arrival_rate * waits[i];
    total.L += of_class.arrival_rate * sojourn;
  }
  total.arrival_rate = total.throughput = present.lambda;
  total.utilization = present.work / c;
  total.Wq = total.Lq / present.lambda;
  total.W = total.L / present.lambda;
  // A work-conserving non-preemptive discipline leaves the busy periods of FIFO unchanged, so an
  // arrival waits exactly when all servers are busy (PASTA): rho for one server, Erlang C for c
  // equal exponential servers.
  total.p_wait = c == 1 ? present.work : analytic::erlang_c(c, present.work);
  plan_station_metrics(analysis.checks, node, total, false);
}

}  // namespace

Analysis analyse_station_with_classes(const StationConfig& station,
                                      const AnalysisContext& context) {
  const NodeSpec& spec = context.spec;
  Analysis analysis;
  analysis.theory = {spec.name, "", ""};
  Flow departures{
      context.input.rate, false,
      fmt::format("departures of the multi-class station {} are not Poisson", spec.name)};
  analysis.outputs = split(departures, spec);

  std::string why_not;
  const auto rates = class_rates(context.scenario, context.index, why_not);
  if (!rates) {
    analysis.theory.detail = "no closed form: " + why_not;
    return analysis;
  }
  if (station.capacity) {
    analysis.theory.detail = "no closed form for classes at a station with a capacity limit";
    return analysis;
  }
  const PresentClasses present = present_classes(station, context.scenario, *rates);
  if (present.classes.empty()) {
    analysis.theory.detail = "no closed form: no source sends requests here";
    return analysis;
  }
  if (present.work >= station.servers) {
    analysis.warnings.push_back(fmt::format(
        "station {} is unstable: offered load {} erlangs on {} server(s) (rho >= 1) with no "
        "capacity limit; no steady state exists",
        spec.name, format_number(present.work), station.servers));
    analysis.theory.detail = "no closed form: unstable (rho >= 1)";
    return analysis;
  }
  const auto waits = station.servers == 1 ? single_server_waits(analysis, station, present)
                                          : multi_server_waits(analysis, station, present);
  if (!waits) return analysis;
  plan_class_checks(analysis, context, station.servers, present, *waits);
  analysis.theory.detail =
      fmt::format("Poisson arrivals per class from their sources; {}", analysis.theory.detail);
  return analysis;
}

}  // namespace capsim::models
