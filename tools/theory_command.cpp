#include "tools/theory_command.hpp"

#include <fmt/format.h>

#include <memory>
#include <stdexcept>

#include "models/io/text_format.hpp"
#include "sim/analytic/queueing.hpp"

namespace capsim::tools {

namespace {

namespace analytic = capsim::analytic;
namespace models = capsim::models;

struct TheoryOptions {
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

}  // namespace

std::function<int()> add_theory_command(CLI::App& app) {
  auto* theory = app.add_subcommand(
      "theory", "Closed-form queueing results (no simulation): mm1, mmc, mmck, erlang-b, mg1");
  theory->require_subcommand(1);
  auto options = std::make_shared<TheoryOptions>();

  auto add_rates = [&](CLI::App* model) {
    model->add_option("--arrival-rate", options->arrival_rate, "Poisson arrival rate lambda [1/s]")
        ->required()
        ->check(CLI::PositiveNumber);
    model
        ->add_option("--service-rate", options->service_rate,
                     "Service rate mu of one server [1/s] (1 / mean service time)")
        ->required()
        ->check(CLI::PositiveNumber);
  };
  auto* mm1 = theory->add_subcommand("mm1", "M/M/1: one server, unlimited queue");
  add_rates(mm1);
  auto* mmc = theory->add_subcommand("mmc", "M/M/c (Erlang C): c servers, unlimited queue");
  add_rates(mmc);
  mmc->add_option("--servers", options->servers, "Number of servers c")
      ->required()
      ->check(CLI::Range(1, 100000));
  auto* mmck =
      theory->add_subcommand("mmck", "M/M/c/K: c servers, at most K requests in the station");
  add_rates(mmck);
  mmck->add_option("--servers", options->servers, "Number of servers c")
      ->required()
      ->check(CLI::Range(1, 100000));
  mmck->add_option("--capacity", options->capacity, "K, most requests in the station (>= c)")
      ->required()
      ->check(CLI::Range(1, 10000000));
  auto* erlang_b =
      theory->add_subcommand("erlang-b", "M/M/c/c (Erlang B): c servers, no waiting room");
  add_rates(erlang_b);
  erlang_b->add_option("--servers", options->servers, "Number of servers c")
      ->required()
      ->check(CLI::Range(1, 100000));
  auto* mg1 = theory->add_subcommand(
      "mg1", "M/G/1 (Pollaczek-Khinchine): one server, any service distribution");
  add_rates(mg1);
  mg1->add_option("--scv", options->scv,
                  "Squared coefficient of variation of the service time (0 = deterministic, 1 = "
                  "exponential)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);

  return [=]() -> int {
    const TheoryOptions& o = *options;
    try {
      if (*mm1 || *mmc) {
        const int c = *mm1 ? 1 : o.servers;
        fmt::print("M/M/{}: lambda = {}/s, mu = {}/s, offered load {} erlangs\n\n", c,
                   o.arrival_rate, o.service_rate,
                   models::format_number(o.arrival_rate / o.service_rate, 6));
        fmt::print("{}\n{}", format_metrics(analytic::mmc(o.arrival_rate, o.service_rate, c)),
                   format_percentiles(o.arrival_rate, o.service_rate, c));
      } else if (*mmck) {
        if (o.capacity < o.servers) throw std::invalid_argument("--capacity must be >= --servers");
        fmt::print("M/M/{}/{}: lambda = {}/s, mu = {}/s\n\n", o.servers, o.capacity, o.arrival_rate,
                   o.service_rate);
        fmt::print("{}", format_metrics(analytic::mmck(o.arrival_rate, o.service_rate, o.servers,
                                                       o.capacity)));
      } else if (*erlang_b) {
        fmt::print("M/M/{0}/{0} (Erlang B): lambda = {1}/s, mu = {2}/s\n\n", o.servers,
                   o.arrival_rate, o.service_rate);
        fmt::print("{}", format_metrics(analytic::mmcc(o.arrival_rate, o.service_rate, o.servers)));
      } else if (*mg1) {
        fmt::print("M/G/1: lambda = {}/s, mu = {}/s, service scv {}\n\n", o.arrival_rate,
                   o.service_rate, o.scv);
        fmt::print("{}", format_metrics(analytic::mg1(o.arrival_rate, 1 / o.service_rate, o.scv)));
      }
    } catch (const std::domain_error& e) {
      fmt::print(stderr, "capsim: error: no steady state: {}\n", e.what());
      return 2;
    } catch (const std::invalid_argument& e) {
      fmt::print(stderr, "capsim: error: {}\n", e.what());
      return 2;
    }
    return 0;
  };
}

}  // namespace capsim::tools
