#include "sim/simulator.hpp"

#include <cassert>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace capsim::sim {

double Simulator::resolution_at(double time) {
  return std::nextafter(time, std::numeric_limits<double>::infinity()) - time;
}

void Simulator::add_slots() {
  // Grows by half again, linking the new slots into the free list in index order.
  const std::size_t old_size = slots_.size();
  const std::size_t new_size = old_size < 16 ? 16 : old_size + old_size / 2;
  if (new_size > kNoSlot) throw std::length_error("more than 2^32 - 1 pending events");
  slots_.resize(new_size, Slot{nullptr, 0, kNoSlot, 0});
  for (std::size_t slot = new_size; slot-- > old_size;) {
    slots_[slot].kind = free_head_;
    free_head_ = static_cast<std::uint32_t>(slot);
  }
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
    release(pop().slot);
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
  const Entry entry = pop();
  const Slot s = slots_[entry.slot];
  release(entry.slot);
  --pending_;
  now_ = entry.time;
  ++events_run_;
  s.target->on_event(s.kind, s.payload);
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
    if (heap_.empty() || heap_.front().time > time) break;
    run_top();
  }
  now_ = time;
  return true;
}

void Simulator::run() {
  while (step()) {
  }
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
