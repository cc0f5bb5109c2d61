// `capsim theory`: closed-form queueing results from the command line.

#include <fmt/format.h>

#include <stdexcept>

#include "models/io/text_format.hpp"
#include "sim/analytic/queueing.hpp"
#include "tools/commands.hpp"

namespace capsim::tools {

namespace {

namespace analytic = capsim::analytic;
namespace models = capsim::models;

// The sub-subcommands of `theory`, one per model; the command line chooses one.
struct TheoryModels {
  CLI::App* mm1;
  CLI::App* mmc;
  CLI::App* mmck;
  CLI::App* erlang_b;
  CLI::App* mg1;
};

struct TheoryOptions {
  TheoryModels subcommands{};  // where CLI11 records which model was chosen
  double arrival_rate = 0;
  double service_rate = 0;
  int servers = 1;
  int capacity = 0;
  double scv = 1;
};

std::string format_metrics(const analytic::StationMetrics& m) {
  models::TextTable table({"metric", "value"});
  auto row = [&](const char* name, double value) {
    table.add({name, models::format_number(value, 8)});
  };
  row("arrival rate (/s)", m.arrival_rate);
  row("throughput (/s)", m.throughput);
  row("utilization", m.utilization);
  row("blocking probability", m.blocking);
  row("L (in system)", m.L);
  row("Lq (waiting)", m.Lq);
  row("W (sojourn, s)", m.W);
  row("Wq (wait, s)", m.Wq);
  row("P(wait > 0)", m.p_wait);
  return table.render();
}

std::string format_percentiles(double lambda, double mu, int servers) {
  models::TextTable table({"percentile", "wait (s)", "sojourn (s)"});
  for (const auto& [level, suffix] :
       {std::pair{0.5, "p50"}, {0.9, "p90"}, {0.95, "p95"}, {0.99, "p99"}, {0.999, "p99.9"}}) {
    table.add(
        {suffix, models::format_number(analytic::mmc_wait_quantile(lambda, mu, servers, level), 8),
         models::format_number(analytic::mmc_sojourn_quantile(lambda, mu, servers, level), 8)});
  }
  return table.render();
}

// A model's subcommand with the options every model has: the arrival and service rates.
CLI::App* add_model(CLI::App& theory, TheoryOptions& options, const char* name,
                    const char* description) {
  auto* model = theory.add_subcommand(name, description);
  model->add_option("--arrival-rate", options.arrival_rate, "Poisson arrival rate lambda [1/s]")
      ->required()
      ->check(CLI::PositiveNumber);
  model
      ->add_option("--service-rate", options.service_rate,
                   "Service rate mu of one server [1/s] (1 / mean service time)")
      ->required()
      ->check(CLI::PositiveNumber);
  return model;
}

void add_servers_option(CLI::App& model, TheoryOptions& options) {
  model.add_option("--servers", options.servers, "Number of servers c")
      ->required()
      ->check(CLI::Range(1, 100000));
}

void add_theory_options(CLI::App& theory, TheoryOptions& options) {
  theory.require_subcommand(1);
  TheoryModels& subcommands = options.subcommands;
  subcommands.mm1 = add_model(theory, options, "mm1", "M/M/1: one server, unlimited queue");
  subcommands.mmc =
      add_model(theory, options, "mmc", "M/M/c (Erlang C): c servers, unlimited queue");
  add_servers_option(*subcommands.mmc, options);
  subcommands.mmck =
      add_model(theory, options, "mmck", "M/M/c/K: c servers, at most K requests in the station");
  add_servers_option(*subcommands.mmck, options);
  subcommands.mmck
      ->add_option("--capacity", options.capacity, "K, most requests in the station (>= c)")
      ->required()
      ->check(CLI::Range(1, 10000000));
  subcommands.erlang_b =
      add_model(theory, options, "erlang-b", "M/M/c/c (Erlang B): c servers, no waiting room");
  add_servers_option(*subcommands.erlang_b, options);
  subcommands.mg1 = add_model(theory, options, "mg1",
                              "M/G/1 (Pollaczek-Khinchine): one server, any service distribution");
  subcommands.mg1
      ->add_option("--scv", options.scv,
                   "Squared coefficient of variation of the service time (0 = deterministic, 1 = "
                   "exponential)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
}

// Prints the chosen model's results. Throws std::domain_error when it has no steady state,
// std::invalid_argument on parameters that do not fit together.
void print_model(const TheoryOptions& o) {
  const TheoryModels& chosen = o.subcommands;
  if (*chosen.mm1 || *chosen.mmc) {
    const int c = *chosen.mm1 ? 1 : o.servers;
    fmt::print("M/M/{}: lambda = {}/s, mu = {}/s, offered load {} erlangs\n\n", c, o.arrival_rate,
               o.service_rate, models::format_number(o.arrival_rate / o.service_rate, 6));
    fmt::print("{}\n{}", format_metrics(analytic::mmc(o.arrival_rate, o.service_rate, c)),
               format_percentiles(o.arrival_rate, o.service_rate, c));
  } else if (*chosen.mmck) {
    if (o.capacity < o.servers) throw std::invalid_argument("--capacity must be >= --servers");
    fmt::print("M/M/{}/{}: lambda = {}/s, mu = {}/s\n\n", o.servers, o.capacity, o.arrival_rate,
               o.service_rate);
    fmt::print("{}", format_metrics(
                         analytic::mmck(o.arrival_rate, o.service_rate, o.servers, o.capacity)));
  } else if (*chosen.erlang_b) {
    fmt::print("M/M/{0}/{0} (Erlang B): lambda = {1}/s, mu = {2}/s\n\n", o.servers, o.arrival_rate,
               o.service_rate);
    fmt::print("{}", format_metrics(analytic::mmcc(o.arrival_rate, o.service_rate, o.servers)));
  } else if (*chosen.mg1) {
    fmt::print("M/G/1: lambda = {}/s, mu = {}/s, service scv {}\n\n", o.arrival_rate,
               o.service_rate, o.scv);
    fmt::print("{}", format_metrics(analytic::mg1(o.arrival_rate, 1 / o.service_rate, o.scv)));
  }
}

// The closed forms' errors are bad input, reported by run_chosen.
int print_theory(const TheoryOptions& options) {
  try {
    print_model(options);
  } catch (const std::domain_error& e) {
    throw models::InputError(fmt::format("no steady state: {}", e.what()));
  } catch (const std::invalid_argument& e) {
    throw models::InputError(e.what());
  }
  return kExitOk;
}

}  // namespace

Command add_theory_command(CLI::App& app) {
  return add_command(app, "theory",
                     "Closed-form queueing results (no simulation): mm1, mmc, mmck, erlang-b, mg1",
                     add_theory_options, print_theory);
}

}  // namespace capsim::tools
