#include "sim/simulator.hpp"

#include <cassert>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace capsim::sim {

namespace {
constexpr int kArity = 4;
constexpr std::uint64_t kSequenceBits = 48;
}  // namespace

double Simulator::resolution_at(double time) {
  return std::nextafter(time, std::numeric_limits<double>::infinity()) - time;
}

EventId Simulator::schedule_at(double time, EventHandler& target, std::uint32_t kind,
                               std::uint64_t payload, int priority) {
  assert(time >= now_ && std::isfinite(time));
  assert(priority >= kMinPriority && priority <= kMaxPriority);
  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(Slot{&target, payload, kind, 0});
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    Slot& s = slots_[slot];
    s.target = &target;
    s.payload = payload;
    s.kind = kind;
  }
  const auto biased_priority = static_cast<std::uint64_t>(priority - kMinPriority);
  push(Entry{time, (biased_priority << kSequenceBits) | next_sequence_++, slot});
  ++pending_;
  return EventId{slot, slots_[slot].generation};
}

bool Simulator::cancel(EventId id) {
  if (id.slot >= slots_.size()) return false;
  Slot& s = slots_[id.slot];
  if (s.generation != id.generation || s.target == nullptr) return false;
  s.target = nullptr;
  --pending_;
  return true;
}

void Simulator::release(std::uint32_t slot) {
  ++slots_[slot].generation;  // invalidates outstanding EventIds before the slot is reused
  slots_[slot].target = nullptr;
  free_slots_.push_back(slot);
}

void Simulator::discard_cancelled() {
  // Lazy cancellation: cancelled entries stay in the heap until they reach the top.
  while (!heap_.empty() && slots_[heap_.front().slot].target == nullptr) release(pop().slot);
}

bool Simulator::step() {
  discard_cancelled();
  if (heap_.empty()) return false;
  run_top();
  return true;
}

void Simulator::run_top() {
  const Entry entry = pop();
  const Slot s = slots_[entry.slot];
  release(entry.slot);
  --pending_;
  now_ = entry.time;
  ++events_run_;
  s.target->on_event(s.kind, s.payload);
}

void Simulator::run_until(double time) {
  if (!(time >= now_)) throw std::invalid_argument("run_until: time is before now()");
  for (;;) {
    discard_cancelled();
    if (heap_.empty() || heap_.front().time > time) break;
    run_top();
  }
  now_ = time;
}

void Simulator::run() {
  while (step()) {
  }
}

void Simulator::push(Entry entry) {
  std::size_t hole = heap_.size();
  heap_.push_back(entry);
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / kArity;
    if (!before(entry, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = entry;
}

Simulator::Entry Simulator::pop() {
  const Entry top = heap_.front();
  const Entry last = heap_.back();
  heap_.pop_back();
  const std::size_t size = heap_.size();
  if (size == 0) return top;
  std::size_t hole = 0;
  for (;;) {
    const std::size_t first_child = hole * kArity + 1;
    if (first_child >= size) break;
    const std::size_t end = first_child + kArity < size ? first_child + kArity : size;
    std::size_t best = first_child;
    for (std::size_t child = first_child + 1; child < end; ++child) {
      if (before(heap_[child], heap_[best])) best = child;
    }
    if (!before(heap_[best], last)) break;
    heap_[hole] = heap_[best];
    hole = best;
  }
  heap_[hole] = last;
  return top;
}

}  // namespace capsim::sim
