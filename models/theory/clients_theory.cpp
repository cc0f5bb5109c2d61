// Theory for the client models in `capsim validate`: exact Mean Value Analysis of a closed
// network of clients, the interactive response-time law, and what can be said of sources with a
// time-varying rate, a replayed trace or batches.

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <variant>

#include "models/io/text_format.hpp"
#include "models/nodes/clients.hpp"
#include "models/theory/analysis.hpp"
#include "sim/analytic/mva.hpp"

namespace capsim::models {

namespace {

constexpr double kVisitTolerance = 1e-9;

std::vector<std::size_t> indexes_of_clients(const Scenario& scenario) {
  std::vector<std::size_t> found;
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    if (std::holds_alternative<ClientsConfig>(scenario.nodes[i].config)) found.push_back(i);
  }
  return found;
}

std::string names_of(const Scenario& scenario, const std::vector<std::size_t>& indexes) {
  std::vector<std::string> names;
  for (std::size_t i : indexes) names.push_back(scenario.nodes[i].name);
  return one_of(names);
}

// Why MVA does not solve the network of `clients` exactly; empty when it does. Product form
// (BCMP 1975) needs FCFS stations with exponential service (any number of servers, solved with
// load-dependent rates), infinite-server nodes with any distribution, and routing that picks
// each next node independently at random.
std::string product_form_obstacle(const Scenario& scenario, std::size_t clients,
                                  const std::vector<bool>& reached, int users) {
  const auto all_clients = indexes_of_clients(scenario);
  if (all_clients.size() > 1) {
    return fmt::format(
        "the scenario has several clients nodes ({}), and exact MVA here covers "
        "one population of users",
        names_of(scenario, all_clients));
  }
  std::vector<std::size_t> sources;
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    if (std::holds_alternative<SourceConfig>(scenario.nodes[i].config)) sources.push_back(i);
  }
  if (!sources.empty()) {
    return fmt::format("open sources ({}) send requests too: a mixed open and closed network",
                       names_of(scenario, sources));
  }
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    if (!reached[i] || i == clients) continue;
    const NodeSpec& spec = scenario.nodes[i];
    if (const auto* station = std::get_if<StationConfig>(&spec.config)) {
      if (station->service.kind() != sim::Distribution::Kind::exponential) {
        return fmt::format("station {} has {} service, not exponential", spec.name,
                           station->service.name());
      }
      if (classes_matter(*station)) {
        return fmt::format(
            "station {} serves request classes differently (priority or per-class "
            "service)",
            spec.name);
      }
      if (station->failures) return fmt::format("station {} has server failures", spec.name);
      if (station->capacity && *station->capacity < users) {
        return fmt::format(
            "station {} has a capacity of {} for {} users, so it can reject "
            "requests",
            spec.name, *station->capacity, users);
      }
    } else if (!std::holds_alternative<DelayConfig>(spec.config) &&
               !std::holds_alternative<SinkConfig>(spec.config)) {
      return fmt::format("{} is a {} node, not a station, delay or sink", spec.name, spec.type);
    }
    const auto fractions = std::visit(
        [&](const auto& config) { return routing_fractions(config, spec); }, spec.config);
    if (!fractions)
      return fmt::format("{} ({}) does not route requests at random", spec.name, spec.type);
  }
  return "";
}

// Visits per request to every node: V = e + F^T V, where e is how the clients spread their
// requests and F(i, j) the fraction of node i's departures sent to node j. Routes may loop.
std::variant<Eigen::VectorXd, std::string> visit_ratios(const Scenario& scenario,
                                                        std::size_t clients,
                                                        const std::vector<bool>& reached) {
  const auto n = static_cast<Eigen::Index>(scenario.nodes.size());
  Eigen::MatrixXd system = Eigen::MatrixXd::Identity(n, n);
  Eigen::VectorXd sent = Eigen::VectorXd::Zero(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const NodeSpec& spec = scenario.nodes[static_cast<std::size_t>(i)];
    if (!reached[static_cast<std::size_t>(i)]) continue;
    const auto fractions = std::visit(
        [&](const auto& config) { return routing_fractions(config, spec); }, spec.config);
    for (std::size_t t = 0; t < spec.targets.size(); ++t) {
      const auto target = static_cast<Eigen::Index>(spec.targets[t]);
      if (static_cast<std::size_t>(i) == clients) {
        sent(target) += (*fractions)[t];
      } else {
        system(target, i) -= (*fractions)[t];
      }
    }
  }
  const Eigen::VectorXd visits = system.fullPivLu().solve(sent);
  const bool solved = visits.allFinite() && visits.minCoeff() >= -kVisitTolerance &&
                      (system * visits - sent).lpNorm<Eigen::Infinity>() <=
                          kVisitTolerance * std::max(1.0, visits.maxCoeff());
  if (!solved) {
    return std::string("the visit equations have no solution (some loop is never left)");
  }
  return visits;
}

std::string servers_text(int servers) {
  return fmt::format("{} exponential server{}", servers, servers == 1 ? "" : "s");
}

// The closed network solved by exact MVA.
struct ClosedNetwork {
  Eigen::VectorXd visits;                      // per request, to every node of the scenario
  std::vector<std::size_t> nodes;              // the stations and delays the clients reach
  std::vector<analytic::MvaStation> stations;  // parallel to `nodes`
  analytic::MvaResult mva;
};

// The network of the clients at `clients` solved by MVA, or why it cannot be.
std::variant<ClosedNetwork, std::string> solve_closed_network(const Scenario& scenario,
                                                              std::size_t clients,
                                                              const std::vector<bool>& reached) {
  const auto& config = std::get<ClientsConfig>(scenario.nodes[clients].config);
  const std::string obstacle = product_form_obstacle(scenario, clients, reached, config.users);
  if (!obstacle.empty()) return obstacle;
  auto solved = visit_ratios(scenario, clients, reached);
  if (auto* reason = std::get_if<std::string>(&solved)) return *reason;
  ClosedNetwork network;
  network.visits = std::get<Eigen::VectorXd>(solved);
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    const double v = network.visits(static_cast<Eigen::Index>(i));
    if (const auto* station = std::get_if<StationConfig>(&scenario.nodes[i].config)) {
      network.nodes.push_back(i);
      network.stations.push_back(
          analytic::MvaStation::queueing(v * station->service.mean(), station->servers));
    } else if (const auto* delay = std::get_if<DelayConfig>(&scenario.nodes[i].config)) {
      network.nodes.push_back(i);
      network.stations.push_back(analytic::MvaStation::delay(v * delay->delay.mean()));
    }
  }
  try {
    network.mva = analytic::mva(config.users, config.think.mean(), network.stations);
  } catch (const std::invalid_argument& error) {
    return std::string(error.what());
  }
  return network;
}

}  // namespace

Analysis analyse(const ClientsConfig& config, const AnalysisContext& context) {
  Analysis analysis;
  analysis.theory = {context.spec.name, "",
                     "no closed form for the closed network; the interactive response-time law "
                     "R = N / X - Z still holds"};
  analysis.checks.push_back({context.index, "response_time_law", 0});
  const Flow sent{0, false,
                  fmt::format("the {} users of clients {} send only when their last request was "
                              "answered (a closed loop)",
                              config.users, context.spec.name)};
  analysis.outputs = split(sent, context.spec);
  return analysis;
}

namespace {

// No exact solution: every node says why, and what holds whatever the network is still checked.
std::vector<Analysis> analyses_without_closed_form(const Scenario& scenario, std::size_t clients,
                                                   const std::string& obstacle) {
  std::vector<Analysis> analyses(scenario.nodes.size());
  const std::string why = fmt::format("requests come from the closed loop of clients {}, and {}",
                                      scenario.nodes[clients].name, obstacle);
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    const NodeSpec& spec = scenario.nodes[i];
    const Flow input{0, false, why};
    const AnalysisContext context{scenario, i, spec, input};
    if (const auto* config = std::get_if<ClientsConfig>(&spec.config)) {
      analyses[i] = analyse(*config, context);
      analyses[i].theory.detail = "no closed form: " + obstacle +
                                  "; the interactive response-time law R = N / X - Z still holds";
    } else if (const auto* source = std::get_if<SourceConfig>(&spec.config)) {
      analyses[i] = analyse(*source, context);
    } else if (const auto* delay = std::get_if<DelayConfig>(&spec.config)) {
      analyses[i] = analyse(*delay, context);  // W is the mean delay whatever the arrivals
    } else if (!std::holds_alternative<SinkConfig>(spec.config)) {
      analyses[i].theory = {spec.name, "", "no closed form: " + why};
    }
  }
  return analyses;
}

// The clients node of a solved network: the loop's throughput and response time.
Analysis analyse_clients_loop(const Scenario& scenario, std::size_t c,
                              const ClosedNetwork& network) {
  const auto& clients = std::get<ClientsConfig>(scenario.nodes[c].config);
  const analytic::MvaResult& mva = network.mva;
  const double x = mva.throughput;
  const double z = clients.think.mean();
  double demand = 0;
  for (const auto& station : network.stations) demand += station.demand;
  const analytic::ThroughputBounds bounds =
      analytic::throughput_bounds(clients.users, z, network.stations);
  Analysis loop;
  loop.theory = {
      scenario.nodes[c].name, "closed product-form network, exact MVA",
      fmt::format("N = {} users, think time Z = {} s ({}: the think stage is an "
                  "infinite-server node, so only its mean matters), total demand "
                  "D = {} s; X(N) = {}/s, R(N) = N / X - Z = {} s; asymptotic bounds "
                  "{} <= X <= {}",
                  clients.users, format_number(z, 6), clients.think.name(),
                  format_number(demand, 6), format_number(x, 6), format_number(mva.response, 6),
                  format_number(bounds.lower, 6), format_number(bounds.upper, 6))};
  loop.checks.push_back({c, "throughput", x});
  loop.checks.push_back({c, "W", mva.response});
  loop.checks.push_back({c, "L", x * mva.response});
  loop.checks.push_back({c, "response_time_law", 0});
  return loop;
}

// The k-th MVA station of a solved network (a station or a delay of the scenario).
void analyse_mva_node(Analysis& analysis, const Scenario& scenario, const ClosedNetwork& network,
                      std::size_t k) {
  const std::size_t i = network.nodes[k];
  const NodeSpec& spec = scenario.nodes[i];
  const double v = network.visits(static_cast<Eigen::Index>(i));
  const double x = network.mva.throughput;
  const analytic::MvaStationResult& r = network.mva.stations[k];
  if (!(v > 0)) {
    analysis.theory = {spec.name, "", "never visited: routing probability 0"};
    return;
  }
  const double demand = network.stations[k].demand;
  const double service = demand / v;
  const auto* station = std::get_if<StationConfig>(&spec.config);
  if (station == nullptr) {
    analysis.theory = {spec.name, "MVA delay (infinite servers)",
                       fmt::format("{} visits per request, mean delay {} s (any distribution)",
                                   format_number(v, 6), format_number(service, 6))};
    analysis.checks.push_back({i, "throughput", v * x});
    analysis.checks.push_back({i, "L", r.queue_length});
    analysis.checks.push_back({i, "W", service});
    return;
  }
  analysis.theory = {
      spec.name, fmt::format("MVA station, {}", servers_text(station->servers)),
      fmt::format("{} visits per request, demand D = V S = {} s, utilization {}{}",
                  format_number(v, 6), format_number(demand, 6), format_number(r.utilization),
                  station->servers > 1 ? " (load-dependent MVA for the servers)" : "")};
  analytic::StationMetrics m;
  m.arrival_rate = m.throughput = v * x;
  m.utilization = r.utilization;
  m.L = r.queue_length;
  m.Lq = r.queue_length - r.busy_servers;
  m.W = r.residence / v;
  m.Wq = m.W - service;
  m.p_wait = r.p_wait;  // the arrival theorem
  plan_station_metrics(analysis.checks, i, m, false);
}

}  // namespace

std::optional<std::vector<Analysis>> analyse_closed_network(const Scenario& scenario,
                                                            std::string& network_model) {
  const auto all_clients = indexes_of_clients(scenario);
  if (all_clients.empty()) return std::nullopt;
  const std::size_t c = all_clients.front();
  const std::vector<bool> reached = reachable_from(scenario, {c});
  const auto solved = solve_closed_network(scenario, c, reached);
  if (const auto* obstacle = std::get_if<std::string>(&solved)) {
    return analyses_without_closed_form(scenario, c, *obstacle);
  }
  const ClosedNetwork& network = std::get<ClosedNetwork>(solved);
  network_model = "closed product-form network (exact MVA)";

  const std::size_t n = scenario.nodes.size();
  std::vector<Analysis> analyses(n);
  analyses[c] = analyse_clients_loop(scenario, c, network);
  for (std::size_t k = 0; k < network.nodes.size(); ++k) {
    analyse_mva_node(analyses[network.nodes[k]], scenario, network, k);
  }
  const double x = network.mva.throughput;
  double failing = 0;  // visits to error sinks per request: the fraction that fails
  bool error_sinks = false;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = network.visits(static_cast<Eigen::Index>(i));
    const auto* sink = std::get_if<SinkConfig>(&scenario.nodes[i].config);
    if (sink != nullptr && sink->outcome == SinkOutcome::error) {
      error_sinks = true;
      failing += v;
    }
    if (sink != nullptr && v > 0) {
      analyses[i].checks.push_back({i, "throughput", v * x});
    } else if (!reached[i] && i != c) {
      analyses[i].theory = {
          scenario.nodes[i].name, "",
          fmt::format("not reached by the requests of clients {}", scenario.nodes[c].name)};
    }
  }
  // End to end the system holds the outstanding requests: L = X R, and with no rejections and
  // no error sinks W = R. Failed requests take routes of their own, so with error sinks only the
  // split is known: throughput (successes) X (1 - f) and error ratio f. Listed after every
  // node's checks.
  const std::size_t end_to_end = n;
  auto& last = analyses.back().checks;
  last.push_back({end_to_end, "throughput", x * (1 - failing)});
  if (error_sinks) last.push_back({end_to_end, "error_ratio", failing});
  last.push_back({end_to_end, "L", x * network.mva.response});
  if (!error_sinks) last.push_back({end_to_end, "W", network.mva.response});
  return analyses;
}

Analysis analyse_extended_source(const SourceConfig& config, const AnalysisContext& context) {
  const Scenario& scenario = context.scenario;
  const std::string& name = context.spec.name;
  const double from = scenario.warmup;
  const double to = scenario.warmup + scenario.duration;
  const double batch_mean = config.batch ? config.batch->mean : 1;
  const bool batch_exact = !config.batch || config.batch->exact;
  const std::string batches =
      config.batch ? fmt::format(", in batches of {} {} requests on average{}",
                                 config.batch->size.name(), format_number(batch_mean, 6),
                                 batch_exact ? "" : " (before rounding: approximate)")
                   : "";

  Analysis analysis;
  analysis.theory = {name, "", ""};
  Flow sent{0, false, ""};
  if (config.profile) {
    const RateProfile& profile = *config.profile;
    // A non-homogeneous Poisson count over the window is Poisson with mean the integral of the
    // rate (so its variance equals its mean).
    const double expected = profile.integral(from, to);
    sent.rate = expected * batch_mean / scenario.duration;
    sent.why_not = fmt::format("the arrival rate of source {} varies in time", name);
    analysis.theory.model =
        config.batch ? "non-homogeneous compound Poisson" : "non-homogeneous Poisson";
    analysis.theory.detail = fmt::format(
        "{} rate profile{}{}; expected arrivals in the window = integral of the rate over "
        "[{} s, {} s] = {}",
        profile.shape() == RateProfile::Shape::piecewise_constant ? "piecewise constant"
                                                                  : "piecewise linear",
        profile.period() ? fmt::format(" repeating every {} s", format_number(*profile.period(), 6))
                         : "",
        batches, format_number(from, 6), format_number(to, 6),
        format_number(expected * batch_mean, 6));
    if (config.batch) analysis.checks.push_back({context.index, "batches", expected});
    if (batch_exact) analysis.checks.push_back({context.index, "arrivals", expected * batch_mean});
  } else if (config.trace) {
    const TraceSpec& trace = *config.trace;
    const auto count = static_cast<double>(count_trace_requests(trace, from, to));
    sent.rate = count / scenario.duration;
    sent.why_not = fmt::format("source {} replays a trace", name);
    analysis.theory.model = "trace replay";
    analysis.theory.detail = fmt::format(
        "{} requests from {}{}; every replication replays the same arrivals, so replications "
        "differ only in service times; {} of them fall in the window",
        trace.requests, trace.path,
        trace.loop ? fmt::format(", looped every {} s", format_number(trace.period, 6)) : "",
        count);
    analysis.checks.push_back({context.index, "arrivals", count});
  } else {
    const bool poisson = config.interarrival.kind() == sim::Distribution::Kind::exponential;
    const double event_rate = 1 / config.interarrival.mean();
    sent.rate = event_rate * batch_mean;
    sent.why_not = fmt::format("source {} sends requests in batches (a compound {} stream)", name,
                               poisson ? "Poisson" : "renewal");
    analysis.theory.model = poisson ? "compound Poisson (batch arrivals)" : "";
    analysis.theory.detail =
        fmt::format("{} inter-arrival times with mean {} s{}", config.interarrival.name(),
                    format_number(config.interarrival.mean(), 6), batches);
    if (poisson) {
      // Only a Poisson process has exactly rate x duration events in a window started anywhere.
      analysis.checks.push_back({context.index, "batches", event_rate * scenario.duration});
      if (batch_exact) {
        analysis.checks.push_back(
            {context.index, "arrivals", event_rate * scenario.duration * batch_mean});
      }
    }
  }
  analysis.outputs = split(sent, context.spec);
  return analysis;
}

}  // namespace capsim::models
