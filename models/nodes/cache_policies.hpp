#pragma once
// Cache replacement policies over preallocated storage: O(1) per request, and nothing allocated
// per request once the cache is full (perfect LFU's history and a TTL cache without a capacity
// grow by doubling, at new high-water marks only).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/rng.hpp"

namespace capsim::models {

/// Maps 64-bit keys to 32-bit values (slot numbers): open addressing with linear probing and
/// backward-shift deletion (no tombstones, so probe lengths never degrade), in a power-of-two
/// table kept at most half full (about 1.5 probes per successful lookup). Keys are mixed by the
/// SplitMix64 finalizer, so consecutive keys do not cluster.
class KeyTable final {
 public:
  static constexpr std::uint32_t kAbsent = UINT32_MAX;

  /// Room for `expected` entries without growing.
  explicit KeyTable(std::size_t expected);

  /// The value stored for `key`, or kAbsent.
  std::uint32_t find(std::uint64_t key) const;
  /// Adds `key` (absent) with `value` (not kAbsent); doubles the table first if it would become
  /// more than half full.
  void insert(std::uint64_t key, std::uint32_t value);
  /// Removes `key` (present).
  void erase(std::uint64_t key);
  std::size_t size() const { return size_; }

 private:
  // The bucket holding `key`, or the empty bucket where its probe sequence ends.
  std::size_t position(std::uint64_t key) const;
  std::size_t home(std::uint64_t key) const;
  void grow();

  std::vector<std::uint64_t> keys_;
  std::vector<std::uint32_t> values_;  // kAbsent marks an empty bucket (every key is valid)
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

/// Doubly linked lists threaded through slot numbers: each slot is on at most one list at a
/// time, and a list is just its two ends. O(1) insertions and removals.
class SlotLinks final {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  struct Ends {
    std::uint32_t head = kNone;  ///< the front
    std::uint32_t tail = kNone;  ///< the back
    bool empty() const { return head == kNone; }
  };

  void resize(std::size_t slots) {
    previous_.resize(slots, kNone);
    next_.resize(slots, kNone);
  }
  void push_front(Ends& list, std::uint32_t slot);
  /// Inserts `slot` right after `after`, which is on `list`.
  void insert_after(Ends& list, std::uint32_t after, std::uint32_t slot);
  void remove(Ends& list, std::uint32_t slot);
  void move_to_front(Ends& list, std::uint32_t slot) {
    remove(list, slot);
    push_front(list, slot);
  }
  std::uint32_t next(std::uint32_t slot) const { return next_[slot]; }
  std::uint32_t previous(std::uint32_t slot) const { return previous_[slot]; }

 private:
  std::vector<std::uint32_t> previous_;
  std::vector<std::uint32_t> next_;
};

/// Replacement policies; cache_policy_names() gives their scenario names in this order.
enum class CachePolicyKind : std::uint8_t { lru, lfu, perfect_lfu, fifo, random, ttl };
const std::vector<std::string>& cache_policy_names();

/// Time-to-live settings (policy ttl).
struct TtlSettings {
  double ttl = 1;             ///< T, s: an entry lives for ages below T after its timer started
  bool reset_on_hit = false;  ///< every hit restarts the timer; otherwise only the insertion does
};

/// A replacement policy over at most `capacity` keys (0: unlimited, ttl only). Keys are
/// arbitrary 64-bit values. Which entry goes when the cache is full:
/// - lru: the least recently requested;
/// - fifo: the least recently inserted (hits change nothing);
/// - random: one chosen uniformly at random (from the stream given to make_cache_policy);
/// - lfu (in-cache LFU, Shah, Mitra & Matani 2010): the least frequently requested since it was
///   inserted, ties to the least recently requested; a key's count is forgotten when it leaves;
/// - perfect_lfu: counts are kept for every key ever requested (memory grows with the distinct
///   keys seen); a missed key is inserted only if its count is at least the smallest cached
///   count, displacing the least recently requested of the least frequent;
/// - ttl: the entry due to expire first (for reset on hit, that is the least recently
///   requested); entries also leave when their time to live runs out.
class CachePolicy {
 public:
  virtual ~CachePolicy() = default;

  /// A read of `key` at time `now` (s, non-decreasing across calls): true on a hit. On a miss
  /// the key is inserted, evicting another when the cache is full (perfect LFU may decline).
  virtual bool access(std::uint64_t key, double now) = 0;
  /// A write at `now`: removes `key` if it is cached; true if it was.
  bool invalidate(std::uint64_t key, double now);

  /// Keys cached now.
  std::size_t size() const { return table_.size(); }
  /// Entries removed to make room for another, since construction.
  std::uint64_t evictions() const { return evictions_; }
  /// Entries removed because their time to live ran out (ttl), since construction.
  std::uint64_t expirations() const { return expirations_; }

  /// ttl: expired entries are removed lazily (at the next request or write), so size() drops
  /// late. overdue_time(now) is the total time, since the last start_window, that entries spent
  /// stored after they had expired: subtracting it from the integral of size() gives the exact
  /// integral of the number of live entries. 0 for other policies.
  virtual void start_window(double /*now*/) {}
  virtual double overdue_time(double /*now*/) const { return 0; }

 protected:
  explicit CachePolicy(std::size_t capacity);
  bool full() const { return capacity_ != 0 && table_.size() >= capacity_; }
  /// Takes a free slot for `key` (not cached) and registers it; grows the slot arrays when the
  /// capacity is unlimited and every slot is taken.
  std::uint32_t store(std::uint64_t key);
  /// Removes a cached slot to make room for another key.
  void evict(std::uint32_t victim) {
    discard(victim);
    ++evictions_;
  }
  /// Removes a cached slot: unlinks it from the policy's structures and frees it.
  void discard(std::uint32_t slot);
  /// Removes the policy's own links to a slot.
  virtual void unlink(std::uint32_t slot) = 0;
  /// The slot arrays have grown to `slots` (unlimited capacity only).
  virtual void grow_slots(std::size_t /*slots*/) {}
  /// Removes what has expired by `now` (ttl).
  virtual void expire(double /*now*/) {}

  std::size_t capacity_;
  KeyTable table_;
  std::vector<std::uint64_t> keys_;  // per slot
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t evictions_ = 0;
  std::uint64_t expirations_ = 0;
};

/// Builds a policy; capacity 0 (unlimited) only for ttl. `eviction_stream` is used by random
/// replacement only.
std::unique_ptr<CachePolicy> make_cache_policy(CachePolicyKind kind, std::size_t capacity,
                                               const TtlSettings& ttl, sim::Rng eviction_stream);

}  // namespace capsim::models
