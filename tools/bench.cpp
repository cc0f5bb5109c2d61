#include "tools/bench.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>

#include "models/network.hpp"
#include "models/report.hpp"
#include "models/scenario.hpp"

namespace capsim::tools {

namespace {

models::Scenario mmc_scenario(int servers, double rho, std::uint64_t requests, std::uint64_t seed) {
  const double arrival_rate = rho * servers;  // service mean 1 s
  models::Json document = {{"name", fmt::format("M/M/{} at rho {}", servers, rho)},
                           {"seed", seed},
                           {"duration", static_cast<double>(requests) / arrival_rate},
                           {"warmup", 0},
                           {"nodes",
                            {{{"name", "arrivals"},
                              {"type", "source"},
                              {"arrival", {{"dist", "exponential"}, {"rate", arrival_rate}}},
                              {"to", "station"}},
                             {{"name", "station"},
                              {"type", "station"},
                              {"servers", servers},
                              {"service", {{"dist", "exponential"}, {"mean", 1.0}}},
                              {"to", "done"}},
                             {{"name", "done"}, {"type", "sink"}}}}};
  return models::parse_scenario(document, "<bench>");
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace

int run_bench(std::uint64_t requests, std::uint64_t seed) {
  fmt::print("capsim {} bench: one replication per model on one thread, {} requests, seed {}\n",
             models::version(), requests, seed);
  models::TextTable table(
      {"model", "events", "seconds", "events/s", "requests/s", "ns/event", "peak RSS (MiB)"});
  for (int servers : {1, 4}) {
    const models::Scenario scenario = mmc_scenario(servers, 0.9, requests, seed);
    models::Network network(scenario, 0);
    const auto start = std::chrono::steady_clock::now();
    const models::ReplicationResult result = network.run();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double completed = result.system.value("completions");
    const auto events = static_cast<double>(result.events);
    table.add({scenario.name, fmt::format("{}", result.events), fmt::format("{:.3f}", seconds),
               fmt::format("{:.3g}", events / seconds), fmt::format("{:.3g}", completed / seconds),
               fmt::format("{:.1f}", 1e9 * seconds / events),
               fmt::format("{:.1f}", peak_rss_mib())});
  }
  fmt::print("{}", table.render());
  return 0;
}

}  // namespace capsim::tools
