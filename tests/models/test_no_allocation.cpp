// The per-event path must not allocate once the system has reached its high-water marks.
// Global operator new is replaced (counting_allocator.cpp), so this test has its own executable.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "models/nodes/network.hpp"
#include "models/scenario/replication.hpp"
#include "models/scenario/scenario.hpp"
#include "scenario_builder.hpp"

// Defined with the replaced operator new in counting_allocator.cpp.
std::uint64_t allocation_count();

using namespace capsim::testing;

namespace {

// Allocations made by one replication of an M/M/4 at rho 0.9 over `duration` seconds.
std::uint64_t allocations_for(double duration, std::uint64_t& events) {
  const Json nodes = {source("in", distribution("exponential", 1 / 3.6), "s"),
                      station("s", 4, distribution("exponential", 1.0), "out"), sink("out")};
  const auto s = scenario(nodes, duration, 0, 2, 9);
  const std::uint64_t before = allocation_count();
  capsim::models::Replication network(s, 0);
  events = network.run().events;
  return allocation_count() - before;
}

// Allocations made by one replication of a shipped scenario over `duration` seconds, no warm-up.
std::uint64_t allocations_for(capsim::models::Scenario s, double duration, std::uint64_t& events) {
  s.duration = duration;
  s.warmup = 0;
  const std::uint64_t before = allocation_count();
  capsim::models::Replication network(s, 0);
  events = network.run().events;
  return allocation_count() - before;
}

}  // namespace

// Balancers, caches, limiters, retries, breakers, failures, fork-join, async queues, clients,
// profiles and traces: every component on a shipped scenario. Measured: 10x the events add at
// most 11 allocations in any of them.
TEST_CASE("every shipped scenario: 10x the events make no more allocations than its peaks") {
  for (const auto& entry : std::filesystem::directory_iterator(CAPSIM_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    const auto s = capsim::models::load_scenario(entry.path().string());
    CAPTURE(entry.path().filename().string());
    std::uint64_t short_events = 0, long_events = 0;
    const double duration = s.duration / 40;
    const std::uint64_t short_run = allocations_for(s, duration, short_events);
    const std::uint64_t long_run = allocations_for(s, 10 * duration, long_events);
    INFO("short: ", short_run, " allocations for ", short_events, " events; long: ", long_run,
         " for ", long_events);
    CHECK(long_events > 5 * short_events);
    CHECK(long_run - short_run <= 32);
  }
}

TEST_CASE("a longer run makes no more allocations than its high-water marks require") {
  std::uint64_t short_events = 0, long_events = 0;
  const std::uint64_t short_run = allocations_for(20000, short_events);
  const std::uint64_t long_run = allocations_for(200000, long_events);
  INFO("short: ", short_run, " allocations for ", short_events, " events; long: ", long_run,
       " for ", long_events);
  CHECK(long_events > 9 * short_events);
  // The only extra allocations allowed are growth of pools, queues and histogram ranges to new
  // peaks (each doubling or range extension is one allocation): a handful, not one per event.
  CHECK(long_run - short_run <= 32);
}
