#include "sim/simulator.hpp"

#include <cassert>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace capsim::sim {

double Simulator::resolution_at(double time) {
  return std::nextafter(time, std::numeric_limits<double>::infinity()) - time;
}

bool Simulator::cancel(EventId id) {
  if (id.slot >= slots_.size()) return false;
  Slot& s = slots_[id.slot];
  if (s.generation != id.generation || s.target == nullptr) return false;
  s.target = nullptr;
  --pending_;
  ++cancelled_in_heap_;
  return true;
}

void Simulator::discard_cancelled() {
  // Lazy cancellation: cancelled entries stay in the heap until they reach the top.
  while (!heap_.empty() && slots_[heap_.front().slot].target == nullptr) {
    const std::uint32_t slot = heap_.front().slot;
    pop();
    release(slot);
    --cancelled_in_heap_;
  }
}

bool Simulator::step() {
  skip_cancelled();
  if (heap_.empty()) return false;
  run_top();
  return true;
}

void Simulator::run_top() {
  const Entry entry = heap_.front();
  const Slot& s = slots_[entry.slot];
  EventHandler* const target = s.target;
  const std::uint32_t kind = s.kind;
  const std::uint64_t payload = s.payload;
  release(entry.slot);
  --pending_;
  now_ = time_of(entry);
  ++events_run_;
  // The entry stays at the root while it runs: the first event it schedules replaces it (push).
  // If it schedules none, or throws, it is popped here.
  struct PopUnlessReplaced {
    Simulator& simulator;
    ~PopUnlessReplaced() {
      if (simulator.top_is_running_) {
        simulator.top_is_running_ = false;
        simulator.pop();
      }
    }
  } pop_unless_replaced{*this};
  top_is_running_ = true;
  target->on_event(kind, payload);
}

void Simulator::run_until(double time) {
  static const std::atomic<bool> never{false};
  run_until(time, never);
}

bool Simulator::run_until(double time, const std::atomic<bool>& stop) {
  if (!(time >= now_)) throw std::invalid_argument("run_until: time is before now()");
  for (;;) {
    // Reading the flag on every event would cost more than the check is worth.
    if (events_run_ % kStopInterval == 0 && stop.load(std::memory_order_relaxed)) return false;
    skip_cancelled();
    if (heap_.empty() || time_of(heap_.front()) > time) break;
    run_top();
  }
  now_ = time;
  return true;
}

void Simulator::run() {
  while (step()) {
  }
}

void Simulator::pop() {
  const Entry last = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(last);
}

}  // namespace capsim::sim
