#pragma once
// The event engine: a clock and a heap of pending events ordered by (time, priority, insertion).

#include <atomic>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/slot_pool.hpp"

namespace capsim::sim {

/// Something events are delivered to. Components implement it; `kind` and `payload` are theirs
/// to define (e.g. kind = "service done", payload = request slot).
class EventHandler {
 public:
  virtual void on_event(std::uint32_t kind, std::uint64_t payload) = 0;

 protected:
  ~EventHandler() = default;
};

/// Identifies a scheduled event so it can be cancelled. Stale ids are harmless.
struct EventId {
  std::uint32_t slot = UINT32_MAX;
  std::uint32_t generation = 0;
};

/// A discrete-event simulator. Events with equal time run by ascending priority, then in the
/// order they were scheduled (first in, first out), so every run is deterministic.
/// Nothing allocates once the pending-event count has reached its high-water mark.
///
/// Time resolution: times are absolute doubles (s), so at time t the clock moves in steps of
/// resolution_at(t), about 2.2e-16 t (6e-8 s at 3e8 s, ten years). An event's time is
/// now() + delay rounded to the nearest step: delays above the step keep their exact order; a
/// delay below half a step rounds to 0, and the event runs at now(), after the events already
/// due then (never before the event that scheduled it); delays that round to the same time run
/// in the order they were scheduled. Rounding is at most half a step per scheduled delay and does
/// not otherwise accumulate: the clock is the time of the event being run. The scenario loader
/// rejects or warns about horizons whose step is coarse next to the scenario's shortest times.
/// Counters are 64-bit; the insertion sequence has 48 bits (2.8e14 events per run).
class Simulator final {
 public:
  /// Priorities are small integers; lower runs first at equal times. Default 0.
  static constexpr int kMinPriority = -32768;
  static constexpr int kMaxPriority = 32767;

  /// The spacing of representable times at `time` >= 0: the clock's resolution there, s.
  static double resolution_at(double time);

  /// Current simulated time in seconds (starts at 0).
  double now() const { return now_; }

  /// Schedules `target.on_event(kind, payload)` at now() + delay (delay >= 0).
  EventId schedule(double delay, EventHandler& target, std::uint32_t kind,
                   std::uint64_t payload = 0, int priority = 0) {
    return schedule_at(now_ + delay, target, kind, payload, priority);
  }
  /// Schedules at absolute time `time` >= now(). Inline: it runs once per event.
  EventId schedule_at(double time, EventHandler& target, std::uint32_t kind,
                      std::uint64_t payload = 0, int priority = 0) {
    assert(time >= now_ && std::isfinite(time));
    assert(priority >= kMinPriority && priority <= kMaxPriority);
    const std::uint32_t slot = slots_.acquire();
    Slot& s = slots_[slot];
    s.target = &target;
    s.payload = payload;
    s.kind = kind;
    const auto biased_priority = static_cast<std::uint64_t>(priority - kMinPriority);
    s.order = (biased_priority << kSequenceBits) | next_sequence_++;
    push(Entry{time_key(time), slot});
    ++pending_;
    return EventId{slot, s.generation};
  }

  /// Cancels a pending event. Returns false if it already ran or was cancelled.
  bool cancel(EventId id);

  /// Runs the next pending event. Returns false when there is none.
  bool step();

  /// Runs every event with time <= `time` (including events those schedule at or before it),
  /// then sets the clock to `time`. `time` must be >= now().
  void run_until(double time);
  /// The same, but gives up when `stop` is set (it is read every kStopInterval events): returns
  /// false, with the clock at the last event run, or true once the clock is at `time`.
  bool run_until(double time, const std::atomic<bool>& stop);
  static constexpr std::uint64_t kStopInterval = 4096;

  /// Runs until no event is pending.
  void run();

  /// Number of pending (not cancelled) events.
  std::size_t pending() const { return pending_; }
  /// Number of events run so far.
  std::uint64_t events_run() const { return events_run_; }

 private:
  // 16 bytes: the heap moves these. The time is kept as its bits: for times >= 0 they order as
  // the times do, and an integer compare settles sooner than a floating-point one (the heap's
  // compares are the branches the processor cannot predict). Ties in time, rare with
  // continuous times, are broken by the slot's order.
  struct Entry {
    std::uint64_t time_bits;
    std::uint32_t slot;
  };
  // + 0.0 turns -0.0 (whose bits would order after every positive time) into 0.0.
  static std::uint64_t time_key(double time) { return std::bit_cast<std::uint64_t>(time + 0.0); }
  static double time_of(const Entry& entry) { return std::bit_cast<double>(entry.time_bits); }
  struct Slot {
    EventHandler* target;  // nullptr once cancelled
    std::uint64_t payload;
    std::uint64_t order;  // priority in the high 16 bits, insertion sequence in the low 48
    std::uint32_t kind;   // links to the next free slot while the slot is free
    std::uint32_t generation;
  };

  static constexpr int kArity = 4;
  static constexpr int kSequenceBits = 48;

  bool before(const Entry& a, const Entry& b) const {
    if (a.time_bits != b.time_bits) [[likely]] return a.time_bits < b.time_bits;
    return slots_[a.slot].order < slots_[b.slot].order;
  }
  void push(Entry entry) {
    if (top_is_running_) {
      // Most events schedule another: it takes the running event's place at the root, one
      // sift down instead of a pop's and a push's.
      top_is_running_ = false;
      sift_down(entry);
      return;
    }
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
  // Puts `entry` at the root and restores the heap below it. Inline: a push runs it.
  void sift_down(Entry entry) {
    Entry* const heap = heap_.data();
    const std::size_t size = heap_.size();
    std::size_t hole = 0;
    for (;;) {
      const std::size_t first_child = hole * kArity + 1;
      if (first_child >= size) break;
      const std::size_t end = first_child + kArity < size ? first_child + kArity : size;
      std::size_t best = first_child;
      for (std::size_t child = first_child + 1; child < end; ++child) {
        if (before(heap[child], heap[best])) best = child;
      }
      if (!before(heap[best], entry)) break;
      heap[hole] = heap[best];
      hole = best;
    }
    heap[hole] = entry;
  }
  void pop();
  void release(std::uint32_t slot) {
    Slot& s = slots_[slot];
    ++s.generation;  // invalidates outstanding EventIds before the slot is reused
    s.target = nullptr;
    slots_.release(slot);
  }
  void discard_cancelled();
  // Cheap test first: most runs never cancel, and then the top entry is always live.
  void skip_cancelled() {
    if (cancelled_in_heap_ != 0) discard_cancelled();
  }
  void run_top();  // runs the top entry, which must be live

  double now_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t events_run_ = 0;
  std::size_t pending_ = 0;
  std::size_t cancelled_in_heap_ = 0;  // cancelled entries not yet popped
  std::vector<Entry> heap_;  // 4-ary min-heap: fewer levels and cache misses than a binary heap
  bool top_is_running_ = false;  // heap_.front() is the event being run, to be replaced or popped
  SlotPool<Slot, &Slot::kind> slots_;
};

}  // namespace capsim::sim
