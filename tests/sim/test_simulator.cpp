#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "sim/simulator.hpp"
#include "sim/statistics.hpp"

using capsim::sim::EventHandler;
using capsim::sim::EventId;
using capsim::sim::Simulator;

namespace {

// Records (time, kind, payload) of every event it receives.
struct Recorder final : EventHandler {
  explicit Recorder(Simulator& simulator) : sim(simulator) {}
  void on_event(std::uint32_t kind, std::uint64_t payload) override {
    log.push_back(std::to_string(sim.now()) + ":" + std::to_string(kind) + ":" +
                  std::to_string(payload));
    if (on_kind && kind == trigger_kind) on_kind(payload);
  }
  Simulator& sim;
  std::vector<std::string> log;
  std::uint32_t trigger_kind = UINT32_MAX;
  std::function<void(std::uint64_t)> on_kind;
};

std::string at(double time, int kind, int payload) {
  return std::to_string(time) + ":" + std::to_string(kind) + ":" + std::to_string(payload);
}

}  // namespace

TEST_CASE("events run in time order and the clock follows them") {
  Simulator sim;
  Recorder r(sim);
  sim.schedule(3.0, r, 1, 30);
  sim.schedule(1.0, r, 1, 10);
  sim.schedule(2.0, r, 1, 20);
  CHECK(sim.pending() == 3);
  sim.run();
  CHECK(r.log == std::vector<std::string>{at(1, 1, 10), at(2, 1, 20), at(3, 1, 30)});
  CHECK(sim.now() == 3.0);
  CHECK(sim.pending() == 0);
  CHECK(sim.events_run() == 3);
}

TEST_CASE("ties at equal times run by priority - then first in first out") {
  Simulator sim;
  Recorder r(sim);
  for (int i = 0; i < 100; ++i) sim.schedule(5.0, r, 0, static_cast<std::uint64_t>(i));
  sim.schedule(5.0, r, 7, 999, -1);  // lower priority value runs first
  sim.schedule(5.0, r, 8, 1000, 1);  // higher runs last
  sim.run();
  REQUIRE(r.log.size() == 102);
  CHECK(r.log.front() == at(5, 7, 999));
  for (int i = 0; i < 100; ++i) CHECK(r.log[static_cast<std::size_t>(i) + 1] == at(5, 0, i));
  CHECK(r.log.back() == at(5, 8, 1000));
}

TEST_CASE("an event scheduled with zero delay runs after those already due at that time") {
  Simulator sim;
  Recorder r(sim);
  r.trigger_kind = 1;
  r.on_kind = [&](std::uint64_t) { sim.schedule(0.0, r, 2, 0); };
  sim.schedule(1.0, r, 1, 0);
  sim.schedule(1.0, r, 3, 0);
  sim.run();
  CHECK(r.log == std::vector<std::string>{at(1, 1, 0), at(1, 3, 0), at(1, 2, 0)});
}

TEST_CASE("cancel removes a pending event - stale and repeated cancels are harmless") {
  Simulator sim;
  Recorder r(sim);
  const EventId a = sim.schedule(1.0, r, 1, 1);
  const EventId b = sim.schedule(2.0, r, 1, 2);
  sim.schedule(3.0, r, 1, 3);
  CHECK(sim.cancel(b));
  CHECK_FALSE(sim.cancel(b));
  CHECK(sim.pending() == 2);
  sim.run();
  CHECK(r.log == std::vector<std::string>{at(1, 1, 1), at(3, 1, 3)});
  CHECK_FALSE(sim.cancel(a));  // already ran
  // The slot of `a` is reused by a new event; the old id must not cancel it.
  const EventId c = sim.schedule(1.0, r, 1, 4);
  CHECK_FALSE(sim.cancel(a));
  CHECK(sim.pending() == 1);
  CHECK(sim.cancel(c));
  CHECK_FALSE(sim.step());
  CHECK(sim.now() == 3.0);
}

TEST_CASE("an event can cancel another due at the same time") {
  Simulator sim;
  Recorder r(sim);
  EventId victim;
  r.trigger_kind = 1;
  r.on_kind = [&](std::uint64_t) { CHECK(sim.cancel(victim)); };
  sim.schedule(1.0, r, 1, 0);
  victim = sim.schedule(1.0, r, 2, 0);
  sim.run();
  CHECK(r.log == std::vector<std::string>{at(1, 1, 0)});
}

TEST_CASE("run_until includes events at the limit - excludes later ones - and sets the clock") {
  Simulator sim;
  Recorder r(sim);
  sim.schedule(1.0, r, 1, 1);
  sim.schedule(2.0, r, 1, 2);
  sim.schedule(std::nextafter(2.0, 3.0), r, 1, 3);
  sim.run_until(2.0);
  CHECK(r.log == std::vector<std::string>{at(1, 1, 1), at(2, 1, 2)});
  CHECK(sim.now() == 2.0);
  CHECK(sim.pending() == 1);

  // Events scheduled at the limit by an event at the limit also run.
  r.trigger_kind = 5;
  r.on_kind = [&](std::uint64_t) { sim.schedule(0.0, r, 6, 0); };
  sim.schedule(0.0, r, 5, 0);
  sim.run_until(2.0);
  CHECK(r.log.back() == at(2, 6, 0));
  CHECK(sim.pending() == 1);

  // With nothing due the clock still advances exactly to the limit.
  Simulator idle;
  idle.run_until(7.25);
  CHECK(idle.now() == 7.25);
  CHECK_THROWS_AS(idle.run_until(7.0), std::invalid_argument);
}

TEST_CASE("run_until skips cancelled events without running a later live one") {
  Simulator sim;
  Recorder r(sim);
  const EventId early = sim.schedule(1.0, r, 1, 1);
  sim.schedule(5.0, r, 1, 5);
  sim.cancel(early);
  sim.run_until(2.0);
  CHECK(r.log.empty());
  CHECK(sim.now() == 2.0);
  CHECK(sim.pending() == 1);
}

TEST_CASE("a long mixed workload matches a sorted reference order exactly") {
  // A deterministic pseudo-random schedule with many ties and cancellations.
  Simulator sim;
  Recorder r(sim);
  struct Planned {
    double time;
    int priority;
    int sequence;
    bool cancelled;
  };
  std::vector<Planned> planned;
  std::vector<EventId> ids;
  std::uint64_t x = 12345;
  for (int i = 0; i < 5000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const double time = static_cast<double>((x >> 40) % 50);
    const int priority = static_cast<int>((x >> 20) % 3) - 1;
    ids.push_back(sim.schedule(time, r, 0, static_cast<std::uint64_t>(i), priority));
    planned.push_back({time, priority, i, false});
  }
  for (int i = 0; i < 5000; i += 7) {
    CHECK(sim.cancel(ids[static_cast<std::size_t>(i)]));
    planned[static_cast<std::size_t>(i)].cancelled = true;
  }
  std::stable_sort(planned.begin(), planned.end(), [](const Planned& a, const Planned& b) {
    return a.time != b.time ? a.time < b.time : a.priority < b.priority;
  });
  std::vector<std::string> expected;
  for (const auto& p : planned) {
    if (!p.cancelled) expected.push_back(at(p.time, 0, p.sequence));
  }
  sim.run();
  CHECK(r.log == expected);
}

TEST_SUITE("numerical") {
  // Ten years and more in seconds: the clock's step there is 2^-24 s (6e-8 s).
  constexpr double kYears = 3.2e8;

  TEST_CASE("near a horizon of years the clock's step is 2^-24 s") {
    CHECK(Simulator::resolution_at(kYears) == std::ldexp(1.0, -24));
    CHECK(Simulator::resolution_at(1.0) == std::ldexp(1.0, -52));
    CHECK(Simulator::resolution_at(1e15) == 0.125);
  }

  TEST_CASE("near a horizon of years delays above the step keep their exact order") {
    Simulator sim;
    Recorder r(sim);
    sim.run_until(kYears);
    // Scheduled in reverse: microsecond delays (17 steps apart) run in the order of their times.
    std::vector<std::string> expected;
    for (int k = 100; k >= 1; --k) sim.schedule(k * 1e-6, r, 1, static_cast<std::uint64_t>(k));
    for (int k = 1; k <= 100; ++k) expected.push_back(at(kYears + k * 1e-6, 1, k));
    // One step apart, the smallest distinct delays, also keep their order.
    const double step = Simulator::resolution_at(kYears);
    sim.schedule(2 * step, r, 2, 2);
    sim.schedule(step, r, 2, 1);
    double previous = sim.now();
    std::vector<double> times;
    r.trigger_kind = 2;
    r.on_kind = [&](std::uint64_t) { times.push_back(sim.now()); };
    sim.run();
    REQUIRE(times.size() == 2);
    CHECK(times[0] == kYears + step);
    CHECK(times[1] == kYears + 2 * step);
    r.log.erase(r.log.begin(), r.log.begin() + 2);  // the step events ran first
    CHECK(r.log == expected);
    CHECK(sim.now() > previous);
  }

  TEST_CASE("a delay below half the step runs at now - after the events already due") {
    Simulator sim;
    Recorder r(sim);
    sim.run_until(kYears);
    const double step = Simulator::resolution_at(kYears);
    sim.schedule(0.0, r, 1, 1);
    sim.schedule(step, r, 1, 4);
    sim.schedule(0.4 * step, r, 1, 2);  // rounds to now: runs after 1, before the later event
    sim.schedule(1e-12, r, 1, 3);       // rounds to now as well: scheduling order, not delay order
    std::vector<double> times;
    r.on_kind = [&](std::uint64_t) { times.push_back(sim.now()); };
    r.trigger_kind = 1;
    sim.run();
    CHECK(times == std::vector<double>{kYears, kYears, kYears, kYears + step});
    std::vector<std::uint64_t> order;
    for (const auto& line : r.log) order.push_back(std::stoull(line.substr(line.rfind(':') + 1)));
    CHECK(order == std::vector<std::uint64_t>{1, 2, 3, 4});
  }

  TEST_CASE("a million chained delays near the horizon drift by at most half a step each") {
    // What a source with deterministic interarrivals does: each time is the previous plus a
    // delay, rounded once.
    constexpr double kDelay = 0.001;
    struct Chain final : EventHandler {
      explicit Chain(Simulator& simulator) : sim(simulator) {}
      void on_event(std::uint32_t, std::uint64_t left) override {
        if (!(sim.now() > previous)) monotone = false;
        previous = sim.now();
        if (left > 0) sim.schedule(kDelay, *this, 0, left - 1);
      }
      Simulator& sim;
      double previous = -1;
      bool monotone = true;
    };
    constexpr std::uint64_t kEvents = 1'000'000;
    Simulator sim;
    Chain chain(sim);
    sim.run_until(kYears);
    sim.schedule(0.0, chain, 0, kEvents - 1);
    sim.run();
    CHECK(chain.monotone);
    CHECK(sim.events_run() == kEvents);
    const double exact = kYears + static_cast<double>(kEvents - 1) * kDelay;
    const double bound = static_cast<double>(kEvents) * Simulator::resolution_at(kYears) / 2;
    CHECK(std::fabs(sim.now() - exact) <= bound);
  }

  TEST_CASE("event counters are 64-bit") {
    static_assert(std::is_same_v<decltype(Simulator{}.events_run()), std::uint64_t>);
    static_assert(std::is_same_v<decltype(capsim::sim::Tally{}.count()), std::uint64_t>);
    static_assert(std::is_same_v<decltype(capsim::sim::BatchMeans{}.count()), std::uint64_t>);
  }
}
