// `capsim bench`: engine speed on reference models, each in its own process on one thread, with
// a hand-written single-purpose M/M/c loop run beside the generic engine for comparison.

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "models/io/text_format.hpp"
#include "models/io/version.hpp"
#include "models/nodes/network.hpp"
#include "models/scenario/replication.hpp"
#include "models/scenario/scenario.hpp"
#include "sim/ring_queue.hpp"
#include "sim/rng.hpp"
#include "tools/commands.hpp"

namespace capsim::tools {

namespace {

using models::Json;

// What one model's run measured.
struct Measurement {
  double events = 0;
  double requests = 0;  // completed
  double seconds = 0;
};

Json exponential(double mean) {
  return {{"dist", "exponential"}, {"mean", mean}};
}

// Exponential times between arrivals: Poisson arrivals at `rate`.
Json exponential_rate(double rate) {
  return {{"dist", "exponential"}, {"rate", rate}};
}

Json scenario_document(const std::string& name, double duration, std::uint64_t seed, Json nodes) {
  return {{"name", name},
          {"seed", seed},
          {"duration", duration},
          {"warmup", 0},
          {"nodes", std::move(nodes)}};
}

Json mmc_document(int servers, std::uint64_t requests, std::uint64_t seed) {
  const double arrival_rate = 0.9 * servers;  // rho = 0.9 with service mean 1 s
  return scenario_document(fmt::format("M/M/{} rho 0.9", servers),
                           static_cast<double>(requests) / arrival_rate, seed,
                           {{{"name", "arrivals"},
                             {"type", "source"},
                             {"arrival", exponential_rate(arrival_rate)},
                             {"to", "station"}},
                            {{"name", "station"},
                             {"type", "station"},
                             {"servers", servers},
                             {"service", exponential(1.0)},
                             {"to", "done"}},
                            {{"name", "done"}, {"type", "sink"}}});
}

// 1,000 M/M/1 stations with random routing and feedback (an open Jackson network): each
// request visits 2 stations on average.
Json jackson_document(std::uint64_t requests, std::uint64_t seed) {
  constexpr int kStations = 1000;
  const double arrival_rate = 1000;
  Json nodes = Json::array();
  Json entry = Json::array();
  for (int i = 0; i < kStations; ++i)
    entry.push_back({{"node", fmt::format("s{}", i)}, {"p", 1.0 / kStations}});
  nodes.push_back({{"name", "arrivals"},
                   {"type", "source"},
                   {"arrival", exponential_rate(arrival_rate)},
                   {"to", entry}});
  for (int i = 0; i < kStations; ++i) {
    // Half the requests leave; the rest go on to one of two fixed other stations.
    nodes.push_back({{"name", fmt::format("s{}", i)},
                     {"type", "station"},
                     {"service", exponential(0.7 / 2)},  // each station sees ~2/s: rho ~ 0.7
                     {"to",
                      {{{"node", fmt::format("s{}", (i * 7 + 1) % kStations)}, {"p", 0.3}},
                       {{"node", fmt::format("s{}", (i * 7 + 500) % kStations)}, {"p", 0.2}},
                       {{"node", "done"}, {"p", 0.5}}}}});
  }
  nodes.push_back({{"name", "done"}, {"type", "sink"}});
  return scenario_document("Jackson, 1000 stations", static_cast<double>(requests) / arrival_rate,
                           seed, nodes);
}

// A 3-tier web service: Poisson users at 1000/s through a token bucket (950/s, burst 100; the
// excess to an error sink), a least-connections balancer over 4 web stations of 2 servers
// (rho ~ 0.71), and an LRU cache of 10^4 objects over 10^6 Zipf(0.9) keys whose misses go to
// a 16-server database.
Json three_tier_document(std::uint64_t requests, std::uint64_t seed) {
  const double arrival_rate = 1000;
  Json nodes = Json::array();
  nodes.push_back({{"name", "users"},
                   {"type", "source"},
                   {"arrival", exponential_rate(arrival_rate)},
                   {"keys", {{"count", 1000000}, {"popularity", "zipf"}, {"alpha", 0.9}}},
                   {"to", "edge"}});
  nodes.push_back({{"name", "edge"},
                   {"type", "limiter"},
                   {"algorithm", "token_bucket"},
                   {"rate", 950},
                   {"burst", 100},
                   {"to", {"lb", "throttled"}}});
  Json backends = Json::array();
  for (int i = 0; i < 4; ++i) backends.push_back(fmt::format("web{}", i));
  nodes.push_back(
      {{"name", "lb"}, {"type", "balancer"}, {"policy", "least_connections"}, {"to", backends}});
  for (const Json& web : backends) {
    nodes.push_back({{"name", web},
                     {"type", "station"},
                     {"servers", 2},
                     {"service", exponential(0.006)},
                     {"to", "cache"}});
  }
  nodes.push_back({{"name", "cache"},
                   {"type", "cache"},
                   {"policy", "lru"},
                   {"capacity", 10000},
                   {"to", {"done", "db"}}});
  nodes.push_back({{"name", "db"},
                   {"type", "station"},
                   {"servers", 16},
                   {"service", exponential(0.02)},
                   {"to", "done"}});
  nodes.push_back({{"name", "done"}, {"type", "sink"}});
  nodes.push_back({{"name", "throttled"}, {"type", "sink"}});
  return scenario_document("3-tier web", static_cast<double>(requests) / arrival_rate, seed, nodes);
}

Measurement run_generic(const Json& document) {
  const models::Scenario scenario = models::parse_scenario(document, "<bench>");
  models::Replication network(scenario, 0);
  const auto start = std::chrono::steady_clock::now();
  const models::ReplicationResult result = network.run();
  const double seconds = seconds_since(start);
  return {static_cast<double>(result.events), result.system.value("completions"), seconds};
}

// The hand-written reference: what a single-purpose M/M/c program does. A binary heap of
// (time, kind) events, a FIFO of arrival times, the same generator with the textbook
// exponential sampler -log(U) (capsim's ziggurat is part of what is measured), and only the
// statistics it needs (mean sojourn).
Measurement run_reference(int servers, std::uint64_t requests, std::uint64_t seed) {
  struct Event {
    double time;
    int kind;  // 0 arrival, 1 departure
    bool operator>(const Event& other) const { return time > other.time; }
  };
  const double arrival_rate = 0.9 * servers;
  sim::Rng arrivals(seed), services(seed + 1);
  auto exponential_sample = [](sim::Rng& rng, double mean) {
    return -mean * std::log(rng.uniform_open());
  };
  std::priority_queue<Event, std::vector<Event>, std::greater<>> heap;
  sim::RingQueue<double> waiting;  // arrival times of requests not yet in service
  sim::RingQueue<double> in_service_arrivals;
  int busy = 0;
  double sojourn_sum = 0;
  std::uint64_t completed = 0, events = 0;
  heap.push({exponential_sample(arrivals, 1 / arrival_rate), 0});
  // Arrival times of requests in service, by departure order, are not needed for FIFO
  // service with identical servers only when c = 1; keep them in a second FIFO keyed by
  // departure events (departures carry no payload), which is exact for c = 1 and an
  // approximation of the per-request sojourn for c > 1 that costs the same as exact tracking.
  const auto start = std::chrono::steady_clock::now();
  while (completed < requests) {
    const Event event = heap.top();
    heap.pop();
    ++events;
    if (event.kind == 0) {
      heap.push({event.time + exponential_sample(arrivals, 1 / arrival_rate), 0});
      if (busy < servers) {
        ++busy;
        in_service_arrivals.push_back(event.time);
        heap.push({event.time + exponential_sample(services, 1.0), 1});
      } else {
        waiting.push_back(event.time);
      }
    } else {
      sojourn_sum += event.time - in_service_arrivals.pop_front();
      ++completed;
      if (!waiting.empty()) {
        in_service_arrivals.push_back(waiting.pop_front());
        heap.push({event.time + exponential_sample(services, 1.0), 1});
      } else {
        --busy;
      }
    }
  }
  const double seconds = seconds_since(start);
  if (!(sojourn_sum > 0))
    fmt::print(stderr, "reference loop: no sojourn measured\n");  // keep it live
  return {static_cast<double>(events), static_cast<double>(completed), seconds};
}

struct Model {
  std::string name;
  std::function<Measurement()> run;
};

// Runs a model in a child process, so that each gets its own peak resident memory.
std::optional<std::pair<Measurement, double>> in_child(const Model& model) {
  int channel[2];
  if (pipe(channel) != 0) return std::nullopt;
  const pid_t child = fork();
  if (child < 0) return std::nullopt;
  if (child == 0) {
    close(channel[0]);
    const Measurement m = model.run();
    const double data[3] = {m.events, m.requests, m.seconds};
    const ssize_t written = write(channel[1], data, sizeof data);
    _exit(written == static_cast<ssize_t>(sizeof data) ? 0 : 1);
  }
  close(channel[1]);
  double data[3] = {0, 0, 0};
  const ssize_t got = read(channel[0], data, sizeof data);
  close(channel[0]);
  int status = 0;
  rusage usage{};
  wait4(child, &status, 0, &usage);
  if (got != static_cast<ssize_t>(sizeof data) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return std::nullopt;
  }
  // ru_maxrss is in KiB on Linux.
  return std::pair{Measurement{data[0], data[1], data[2]},
                   static_cast<double>(usage.ru_maxrss) / 1024};
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string median_and_range(const std::vector<double>& values, const char* format) {
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  if (values.size() == 1) return fmt::format(fmt::runtime(format), values.front());
  return fmt::format("{} ({}-{})", fmt::format(fmt::runtime(format), median(values)),
                     fmt::format(fmt::runtime(format), *low),
                     fmt::format(fmt::runtime(format), *high));
}

struct BenchOptions {
  std::uint64_t requests = 10'000'000;  ///< per model, about
  std::uint64_t seed = 1;
  std::string only;  ///< run only the models whose name contains it (empty: all)
  int rounds = 5;
};

std::vector<Model> bench_models(const BenchOptions& options) {
  const std::uint64_t requests = options.requests, seed = options.seed;
  return {
      {"M/M/1 rho 0.9: capsim", [=] { return run_generic(mmc_document(1, requests, seed)); }},
      {"M/M/1 rho 0.9: reference loop", [=] { return run_reference(1, requests, seed); }},
      {"M/M/4 rho 0.9: capsim", [=] { return run_generic(mmc_document(4, requests, seed)); }},
      {"M/M/4 rho 0.9: reference loop", [=] { return run_reference(4, requests, seed); }},
      {"3-tier web (LRU, 10^6 keys): capsim",
       [=] { return run_generic(three_tier_document(requests, seed)); }},
      {"Jackson 1000 stations: capsim",
       [=] { return run_generic(jackson_document(requests, seed)); }},
  };
}

// What the rounds measured of one model.
struct Runs {
  Measurement first;  // events and requests are the same in every round
  std::vector<double> seconds;
  double peak_rss_mib = 0;
  bool failed = false;
};

// Rounds run every model once, in turn, so that a model and its reference see the same
// machine: on a shared machine the time of one run varies by tens of percent, the ratio of
// neighbours much less.
std::map<std::string, Runs> run_rounds(const std::vector<Model>& suite,
                                       const BenchOptions& options) {
  std::map<std::string, Runs> runs;
  for (int round = 0; round < options.rounds; ++round) {
    for (const Model& model : suite) {
      if (!options.only.empty() && model.name.find(options.only) == std::string::npos) continue;
      Runs& of_model = runs[model.name];
      if (of_model.failed) continue;
      const auto outcome = in_child(model);
      if (!outcome) {
        of_model.failed = true;
        continue;
      }
      if (of_model.seconds.empty()) of_model.first = outcome->first;
      of_model.seconds.push_back(outcome->first.seconds);
      of_model.peak_rss_mib = std::max(of_model.peak_rss_mib, outcome->second);
    }
  }
  return runs;
}

// Prints one row per model that ran (figures are medians over the rounds); returns how many
// failed.
int print_table(const std::vector<Model>& suite, const std::map<std::string, Runs>& runs) {
  models::TextTable table(
      {"model", "events", "seconds", "events/s", "requests/s", "ns/event", "peak RSS (MiB)"});
  int failures = 0;
  for (const Model& model : suite) {
    const auto found = runs.find(model.name);
    if (found == runs.end()) continue;
    const Runs& of_model = found->second;
    if (of_model.failed) {
      ++failures;
      table.add({model.name, "failed"});
      continue;
    }
    const double seconds = median(of_model.seconds);
    std::vector<double> ns_per_event;
    for (double s : of_model.seconds) ns_per_event.push_back(1e9 * s / of_model.first.events);
    table.add(
        {model.name, fmt::format("{:.0f}", of_model.first.events), fmt::format("{:.3f}", seconds),
         fmt::format("{:.3g}", of_model.first.events / seconds),
         fmt::format("{:.3g}", of_model.first.requests / seconds),
         median_and_range(ns_per_event, "{:.1f}"), fmt::format("{:.1f}", of_model.peak_rss_mib)});
  }
  fmt::print("{}", table.render());
  return failures;
}

// The generic engine's time per event over the reference loop's, for the models that have both.
void print_ratios(const std::map<std::string, Runs>& runs, int rounds) {
  for (const char* model : {"M/M/1 rho 0.9", "M/M/4 rho 0.9"}) {
    const auto generic = runs.find(fmt::format("{}: capsim", model));
    const auto reference = runs.find(fmt::format("{}: reference loop", model));
    if (generic == runs.end() || reference == runs.end() || generic->second.failed ||
        reference->second.failed) {
      continue;
    }
    // Per round: the two ran one after the other.
    std::vector<double> ratios;
    for (std::size_t round = 0; round < generic->second.seconds.size(); ++round) {
      ratios.push_back((generic->second.seconds[round] / generic->second.first.events) /
                       (reference->second.seconds[round] / reference->second.first.events));
    }
    fmt::print("{}: capsim takes {} the reference loop's time per event{}\n", model,
               median_and_range(ratios, "{:.2f}x"),
               rounds > 1 ? " (median and range of the rounds)" : "");
  }
}

// Runs the benchmark models `rounds` times, in turn, for about `requests` requests each and
// prints events/s, requests/s, ns per event (medians over the rounds, with their range) and the
// peak resident memory of each model's process, then the ratio of the generic engine's time per
// event to the reference loop's (median of the rounds).
int run_bench(const BenchOptions& options) {
  fmt::print(
      "capsim {} bench: each model in its own process, one thread, ~{} requests, seed {}, "
      "{} round{}\n",
      models::version(), options.requests, options.seed, options.rounds,
      options.rounds == 1 ? "" : "s");
  const std::vector<Model> suite = bench_models(options);
  const std::map<std::string, Runs> runs = run_rounds(suite, options);
  const int failures = print_table(suite, runs);
  print_ratios(runs, options.rounds);
  return failures == 0 ? kExitOk : kExitInternalError;
}

void add_bench_options(CLI::App& bench, BenchOptions& options) {
  bench.add_option("--requests", options.requests, "Requests per model")
      ->check(CLI::Range(std::uint64_t{1000}, std::uint64_t{10'000'000'000}))
      ->capture_default_str();
  bench.add_option("--seed", options.seed, "Random seed")->capture_default_str();
  bench.add_option("--only", options.only, "Run only the models whose name contains TEXT")
      ->type_name("TEXT");
  bench
      .add_option("--rounds", options.rounds,
                  "Run every model this many times, in turn, and report medians")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
}

}  // namespace

Command add_bench_command(CLI::App& app) {
  return add_command(
      app, "bench",
      "Measure engine speed on reference models beside a hand-written M/M/c loop (one thread)",
      add_bench_options, run_bench);
}

}  // namespace capsim::tools
