// Closed forms for sources, stations, delays and sinks.

#include <fmt/format.h>

#include <cmath>

#include "models/io/text_format.hpp"
#include "models/theory/analysis.hpp"

namespace capsim::models {

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

std::vector<Flow> split(const Flow& departures, const NodeSpec& spec) {
  if (spec.probabilities.empty()) {
    return std::vector<Flow>(spec.targets.size(), departures);
  }
  std::vector<Flow> out;
  for (double p : spec.probabilities) {
    Flow part = departures;
    part.rate *= p;
    out.push_back(part);
  }
  return out;
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

void plan_station_metrics(std::vector<PlannedCheck>& plan, std::size_t node,
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

void plan_mmc_percentiles(std::vector<PlannedCheck>& plan, std::size_t node, double lambda,
                          double mu, int servers) {
  for (const auto& [level, suffix] : kPercentiles) {
    plan.push_back({node, std::string("wait.") + suffix,
                    analytic::mmc_wait_quantile(lambda, mu, servers, level), true});
    plan.push_back({node, std::string("sojourn.") + suffix,
                    analytic::mmc_sojourn_quantile(lambda, mu, servers, level), true});
  }
}

Analysis analyse(const SourceConfig& config, const AnalysisContext& context) {
  if (!config.plain()) return analyse_extended_source(config, context);
  const bool poisson = config.interarrival.kind() == sim::Distribution::Kind::exponential;
  const Flow generated{
      1 / config.interarrival.mean(), poisson,
      poisson ? ""
              : fmt::format("source {} has {} inter-arrival times, not exponential",
                            context.spec.name, config.interarrival.name())};
  Analysis analysis;
  analysis.outputs = split(generated, context.spec);
  if (poisson) analysis.product_form_population = 0;
  return analysis;
}

namespace {

// "M/G/c" or "M/M/c/K": the station's model, were its arrivals Poisson.
std::string station_model(const StationConfig& station) {
  return fmt::format("M/{}/{}{}", kendall_letter(station.service), station.servers,
                     station.capacity ? fmt::format("/{}", *station.capacity) : "");
}

// Poisson arrivals at a station with a capacity limit: M/M/c/K, or any service without a waiting
// room (M/G/c/c).
void analyse_finite_station(Analysis& analysis, Flow& departures, const StationConfig& station,
                            const AnalysisContext& context) {
  const std::string& name = context.spec.name;
  const double rate = context.input.rate;
  const int c = station.servers;
  const double mean_service = station.service.mean();
  const bool exponential = station.service.kind() == sim::Distribution::Kind::exponential;
  const std::string model = station_model(station);
  const bool loss = *station.capacity == c;
  if (!exponential && !loss) {
    analysis.theory.detail = fmt::format("no closed form for {} ({} service, finite capacity)",
                                         model, station.service.name());
    departures.why_not = fmt::format("departures of {} are not Poisson", name);
    return;
  }
  // A loss system (no waiting room) is insensitive: its distribution of busy servers, hence
  // blocking, throughput, utilization and L, depends on the service only through its mean
  // (Sevastyanov 1957), so Erlang B holds for M/G/c/c; W = E[S] and nobody waits.
  const auto m = analytic::mmck(rate, 1 / mean_service, c, static_cast<int>(*station.capacity));
  analysis.theory.model = model + (loss ? " (Erlang B loss system)" : "");
  analysis.theory.detail =
      fmt::format("Poisson arrivals at {}/s, {} service with mean {} s{}", format_number(rate, 6),
                  station.service.name(), format_number(mean_service, 6),
                  exponential ? ""
                              : "; Erlang B is insensitive: with no waiting room only the "
                                "mean service time matters (Sevastyanov 1957)");
  plan_station_metrics(analysis.checks, context.index, m, true);
  departures.rate = m.throughput;
  departures.why_not = fmt::format("departures of the {} station {} are not Poisson", model, name);
}

// Poisson arrivals at a stable station without a capacity limit: M/M/c, or M/G/1 by
// Pollaczek-Khinchine.
void analyse_open_station(Analysis& analysis, Flow& departures, const StationConfig& station,
                          const AnalysisContext& context) {
  const std::string& name = context.spec.name;
  const std::size_t i = context.index;
  const double rate = context.input.rate;
  const int c = station.servers;
  const double mean_service = station.service.mean();
  const double mu = 1 / mean_service;
  const std::string model = station_model(station);
  if (station.service.kind() == sim::Distribution::Kind::exponential) {
    const auto m = analytic::mmc(rate, mu, c);
    analysis.theory.model = model;
    analysis.theory.detail = fmt::format(
        "Poisson arrivals at {}/s, exponential service with mean {} s; rho = {}",
        format_number(rate, 6), format_number(mean_service, 6), format_number(m.utilization));
    plan_station_metrics(analysis.checks, i, m, false);
    plan_mmc_percentiles(analysis.checks, i, rate, mu, c);
    analysis.product_form_population = m.L;
    // Burke's theorem: a stable M/M/c queue's departures are Poisson at the arrival rate.
    departures = {rate, true, ""};
  } else if (c == 1) {
    const auto m = analytic::mg1(rate, mean_service, station.service.scv());
    analysis.theory.model = model;
    analysis.theory.detail = fmt::format(
        "Poisson arrivals at {}/s, {} service with mean {} s and scv {} (Pollaczek-Khinchine); "
        "rho = {}; no closed form for its percentiles",
        format_number(rate, 6), station.service.name(), format_number(mean_service, 6),
        format_number(station.service.scv()), format_number(m.utilization));
    plan_station_metrics(analysis.checks, i, m, false);
    departures.why_not =
        fmt::format("departures of the {} station {} are not Poisson", model, name);
  } else {
    analysis.theory.detail = fmt::format("no closed form for {} ({} service on {} servers)", model,
                                         station.service.name(), c);
    departures.why_not = fmt::format("departures of {} are not Poisson", name);
  }
}

}  // namespace

Analysis analyse(const StationConfig& station, const AnalysisContext& context) {
  if (station.failures) return analyse_station_with_failures(station, context);
  if (classes_matter(station)) return analyse_station_with_classes(station, context);
  const NodeSpec& spec = context.spec;
  const Flow& input = context.input;
  const int c = station.servers;
  const double offered = input.rate * station.service.mean();

  Analysis analysis;
  analysis.theory = {spec.name, "", ""};
  Flow departures{input.rate, false, ""};
  if (!input.poisson) {
    analysis.theory.detail = "no closed form: arrivals are not Poisson (" + input.why_not + ")";
    departures.why_not = fmt::format("{} is fed by non-Poisson arrivals", spec.name);
  } else if (station.capacity) {
    analyse_finite_station(analysis, departures, station, context);
  } else if (offered >= c) {
    analysis.warnings.push_back(fmt::format(
        "station {} is unstable: offered load {} erlangs on {} server(s) (rho = {} >= 1) with "
        "no capacity limit; its queue grows without bound, so no steady state exists and its "
        "simulated means grow with the run length",
        spec.name, format_number(offered), c, format_number(offered / c)));
    analysis.theory.detail = "no closed form: unstable (rho >= 1)";
    departures.why_not = fmt::format("{} is unstable", spec.name);
  } else {
    analyse_open_station(analysis, departures, station, context);
  }
  analysis.outputs = split(departures, spec);
  return analysis;
}

Analysis analyse(const DelayConfig& config, const AnalysisContext& context) {
  const Flow& input = context.input;
  const double mean = config.delay.mean();
  Analysis analysis;
  analysis.theory = {context.spec.name, "", ""};
  if (input.poisson) {
    // M/G/inf: the population is Poisson with mean lambda E[D] whatever the delay distribution,
    // and the departures of a Poisson-fed infinite-server node are Poisson (Mirasol 1963).
    const double L = input.rate * mean;
    analysis.theory.model = fmt::format("M/{}/inf", kendall_letter(config.delay));
    analysis.theory.detail = fmt::format("Poisson arrivals at {}/s, {} delay with mean {} s",
                                         format_number(input.rate, 6), config.delay.name(),
                                         format_number(mean, 6));
    analysis.checks.push_back({context.index, "throughput", input.rate});
    analysis.checks.push_back({context.index, "L", L});
    analysis.checks.push_back({context.index, "W", mean});
    analysis.product_form_population = L;
    analysis.outputs = split(input, context.spec);
  } else {
    analysis.theory.detail = "no closed form for L: arrivals are not Poisson (" + input.why_not +
                             "); W is still the mean delay";
    analysis.checks.push_back({context.index, "W", mean});
    Flow departures{input.rate, false,
                    fmt::format("{} is fed by non-Poisson arrivals", context.spec.name)};
    analysis.outputs = split(departures, context.spec);
  }
  return analysis;
}

Analysis analyse(const SinkConfig& config, const AnalysisContext& context) {
  Analysis analysis;
  analysis.product_form_population = 0;
  if (config.outcome == SinkOutcome::error) analysis.failure_rate = context.input.rate;
  return analysis;
}

}  // namespace capsim::models
