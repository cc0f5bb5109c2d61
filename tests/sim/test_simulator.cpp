#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/simulator.hpp"

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
