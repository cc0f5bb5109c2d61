#include "models/nodes/cache_policies.hpp"

#include <algorithm>
#include <bit>
#include <cassert>

namespace capsim::models {

namespace {

constexpr std::size_t kMinimumBuckets = 16;
constexpr std::size_t kMinimumSlots = 16;

// The SplitMix64 finalizer: every input bit affects every output bit, so keys that differ in
// their low bits (consecutive keys) land in unrelated buckets.
std::uint64_t mix(std::uint64_t key) {
  std::uint64_t z = key + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

// ---- KeyTable ---------------------------------------------------------------------------------

KeyTable::KeyTable(std::size_t expected) {
  const std::size_t buckets = std::bit_ceil(std::max(kMinimumBuckets, 2 * expected));
  keys_.assign(buckets, 0);
  values_.assign(buckets, kAbsent);
  mask_ = buckets - 1;
}

std::size_t KeyTable::home(std::uint64_t key) const {
  return static_cast<std::size_t>(mix(key)) & mask_;
}

std::size_t KeyTable::position(std::uint64_t key) const {
  std::size_t i = home(key);
  while (values_[i] != kAbsent && keys_[i] != key) i = (i + 1) & mask_;
  return i;
}

std::uint32_t KeyTable::find(std::uint64_t key) const {
  return values_[position(key)];
}

void KeyTable::insert(std::uint64_t key, std::uint32_t value) {
  assert(value != kAbsent);
  if (2 * (size_ + 1) > values_.size()) grow();
  const std::size_t i = position(key);
  assert(values_[i] == kAbsent);
  keys_[i] = key;
  values_[i] = value;
  ++size_;
}

void KeyTable::erase(std::uint64_t key) {
  std::size_t hole = position(key);
  assert(values_[hole] != kAbsent);
  // Backward shift: pull later entries of the cluster into the hole when their home bucket is
  // not between the hole and where they sit, so every probe sequence stays unbroken.
  for (std::size_t j = (hole + 1) & mask_; values_[j] != kAbsent; j = (j + 1) & mask_) {
    const std::size_t k = home(keys_[j]);
    const bool stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
    if (stays) continue;
    keys_[hole] = keys_[j];
    values_[hole] = values_[j];
    hole = j;
  }
  values_[hole] = kAbsent;
  --size_;
}

void KeyTable::grow() {
  std::vector<std::uint64_t> old_keys(2 * keys_.size(), 0);
  std::vector<std::uint32_t> old_values(2 * values_.size(), kAbsent);
  old_keys.swap(keys_);
  old_values.swap(values_);
  mask_ = keys_.size() - 1;
  size_ = 0;
  for (std::size_t i = 0; i < old_values.size(); ++i) {
    if (old_values[i] != kAbsent) insert(old_keys[i], old_values[i]);
  }
}

// ---- SlotLinks --------------------------------------------------------------------------------

void SlotLinks::push_front(Ends& list, std::uint32_t slot) {
  previous_[slot] = kNone;
  next_[slot] = list.head;
  if (list.head != kNone) {
    previous_[list.head] = slot;
  } else {
    list.tail = slot;
  }
  list.head = slot;
}

void SlotLinks::insert_after(Ends& list, std::uint32_t after, std::uint32_t slot) {
  const std::uint32_t following = next_[after];
  previous_[slot] = after;
  next_[slot] = following;
  next_[after] = slot;
  if (following != kNone) {
    previous_[following] = slot;
  } else {
    list.tail = slot;
  }
}

void SlotLinks::remove(Ends& list, std::uint32_t slot) {
  const std::uint32_t before = previous_[slot];
  const std::uint32_t after = next_[slot];
  (before != kNone ? next_[before] : list.head) = after;
  (after != kNone ? previous_[after] : list.tail) = before;
  previous_[slot] = next_[slot] = kNone;
}

// ---- CachePolicy ------------------------------------------------------------------------------

const std::vector<std::string>& cache_policy_names() {
  static const std::vector<std::string> names = {"lru",  "lfu",    "perfect_lfu",
                                                 "fifo", "random", "ttl"};
  return names;
}

CachePolicy::CachePolicy(std::size_t capacity)
    : capacity_(capacity), table_(capacity != 0 ? capacity : kMinimumSlots) {
  const std::size_t slots = capacity != 0 ? capacity : kMinimumSlots;
  keys_.resize(slots);
  free_slots_.reserve(slots);
  // Slot 0 is taken first: exact tests read more easily.
  for (std::size_t s = slots; s-- > 0;) free_slots_.push_back(static_cast<std::uint32_t>(s));
}

bool CachePolicy::invalidate(std::uint64_t key, double now) {
  expire(now);
  const std::uint32_t slot = table_.find(key);
  if (slot == KeyTable::kAbsent) return false;
  discard(slot);
  return true;
}

std::uint32_t CachePolicy::store(std::uint64_t key) {
  if (free_slots_.empty()) {
    assert(capacity_ == 0);
    const std::size_t old_size = keys_.size();
    const std::size_t new_size = 2 * old_size;
    keys_.resize(new_size);
    free_slots_.reserve(new_size);
    for (std::size_t s = new_size; s-- > old_size;) {
      free_slots_.push_back(static_cast<std::uint32_t>(s));
    }
    grow_slots(new_size);
  }
  const std::uint32_t slot = free_slots_.back();
  free_slots_.pop_back();
  keys_[slot] = key;
  table_.insert(key, slot);
  return slot;
}

void CachePolicy::discard(std::uint32_t slot) {
  unlink(slot);
  table_.erase(keys_[slot]);
  free_slots_.push_back(slot);
}

namespace {

// ---- LRU and FIFO: one list in recency (LRU) or insertion (FIFO) order -------------------------

class RecencyPolicy final : public CachePolicy {
 public:
  RecencyPolicy(std::size_t capacity, bool move_on_hit)
      : CachePolicy(capacity), move_on_hit_(move_on_hit) {
    links_.resize(capacity);
  }

  bool access(std::uint64_t key, double) override {
    std::uint32_t slot = table_.find(key);
    if (slot != KeyTable::kAbsent) {
      if (move_on_hit_) links_.move_to_front(order_, slot);
      return true;
    }
    if (full()) evict(order_.tail);
    slot = store(key);
    links_.push_front(order_, slot);
    return false;
  }

 private:
  void unlink(std::uint32_t slot) override { links_.remove(order_, slot); }

  bool move_on_hit_;
  SlotLinks links_;
  SlotLinks::Ends order_;  // front: most recently requested (LRU) or inserted (FIFO)
};

// ---- Random replacement -------------------------------------------------------------------------

class RandomPolicy final : public CachePolicy {
 public:
  RandomPolicy(std::size_t capacity, sim::Rng rng) : CachePolicy(capacity), rng_(rng) {}

  bool access(std::uint64_t key, double) override {
    if (table_.find(key) != KeyTable::kAbsent) return true;
    // Full means every slot 0 .. C-1 holds a key, so a uniform slot is a uniform entry.
    if (full()) evict(static_cast<std::uint32_t>(rng_.below(capacity_)));
    store(key);
    return false;
  }

 private:
  void unlink(std::uint32_t) override {}

  sim::Rng rng_;
};

// ---- LFU: frequency buckets (Shah, Mitra & Matani 2010) ---------------------------------------

// Buckets of equal request counts in a list by increasing count; within a bucket, keys by
// recency (front: most recent). Every operation touches the bucket list only next to the key's
// own bucket or at its head, hence O(1).
class FrequencyBuckets final {
 public:
  explicit FrequencyBuckets(std::size_t slots) {
    // At most one bucket per key, plus one while a key moves up.
    const std::size_t buckets = slots + 1;
    bucket_of_.resize(slots, SlotLinks::kNone);
    items_.resize(slots);
    bucket_links_.resize(buckets);
    count_.resize(buckets, 0);
    members_.resize(buckets);
    free_buckets_.reserve(buckets);
    for (std::size_t b = buckets; b-- > 0;) free_buckets_.push_back(static_cast<std::uint32_t>(b));
  }

  bool empty() const { return order_.empty(); }
  std::uint64_t smallest_count() const { return count_[order_.head]; }
  /// The least recent of the least frequent.
  std::uint32_t victim() const { return members_[order_.head].tail; }

  /// Adds a slot with request count `count`. Walks up from the smallest count, so it is O(1)
  /// when `count` is at most one above it (always the case for the callers here).
  void insert(std::uint32_t slot, std::uint64_t count) {
    std::uint32_t before = SlotLinks::kNone;
    std::uint32_t at = order_.head;
    while (at != SlotLinks::kNone && count_[at] < count) {
      before = at;
      at = bucket_links_.next(at);
    }
    if (at == SlotLinks::kNone || count_[at] != count) at = new_bucket(before, count);
    items_.push_front(members_[at], slot);
    bucket_of_[slot] = at;
  }

  /// One more request for a slot: it moves to the bucket of the next count, at its front.
  void touch(std::uint32_t slot) {
    const std::uint32_t from = bucket_of_[slot];
    std::uint32_t to = bucket_links_.next(from);
    if (to == SlotLinks::kNone || count_[to] != count_[from] + 1) {
      to = new_bucket(from, count_[from] + 1);
    }
    detach(slot);
    items_.push_front(members_[to], slot);
    bucket_of_[slot] = to;
  }

  void detach(std::uint32_t slot) {
    const std::uint32_t bucket = bucket_of_[slot];
    items_.remove(members_[bucket], slot);
    bucket_of_[slot] = SlotLinks::kNone;
    if (members_[bucket].empty()) {
      bucket_links_.remove(order_, bucket);
      free_buckets_.push_back(bucket);
    }
  }

 private:
  std::uint32_t new_bucket(std::uint32_t after, std::uint64_t count) {
    assert(!free_buckets_.empty());
    const std::uint32_t bucket = free_buckets_.back();
    free_buckets_.pop_back();
    count_[bucket] = count;
    members_[bucket] = {};
    if (after == SlotLinks::kNone) {
      bucket_links_.push_front(order_, bucket);
    } else {
      bucket_links_.insert_after(order_, after, bucket);
    }
    return bucket;
  }

  std::vector<std::uint32_t> bucket_of_;  // per slot
  SlotLinks items_;                       // keys within a bucket
  SlotLinks bucket_links_;                // buckets by increasing count
  SlotLinks::Ends order_;
  std::vector<std::uint64_t> count_;      // per bucket
  std::vector<SlotLinks::Ends> members_;  // per bucket
  std::vector<std::uint32_t> free_buckets_;
};

// In-cache LFU: a key's count starts at 1 when it is inserted and is lost when it leaves.
class LfuPolicy final : public CachePolicy {
 public:
  explicit LfuPolicy(std::size_t capacity) : CachePolicy(capacity), buckets_(capacity) {}

  bool access(std::uint64_t key, double) override {
    std::uint32_t slot = table_.find(key);
    if (slot != KeyTable::kAbsent) {
      buckets_.touch(slot);
      return true;
    }
    if (full()) evict(buckets_.victim());
    slot = store(key);
    buckets_.insert(slot, 1);
    return false;
  }

 private:
  void unlink(std::uint32_t slot) override { buckets_.detach(slot); }

  FrequencyBuckets buckets_;
};

// Perfect LFU: counts over the whole history. Invariant (once full, and without writes): no
// uncached key has a larger count than the smallest cached one, since a key is evicted only
// with the smallest count and the smallest count never decreases. So a missed key's new count
// is at most one above the smallest, and insertion stays O(1).
class PerfectLfuPolicy final : public CachePolicy {
 public:
  explicit PerfectLfuPolicy(std::size_t capacity)
      : CachePolicy(capacity), buckets_(capacity), history_(capacity) {
    counts_.reserve(capacity);
  }

  bool access(std::uint64_t key, double) override {
    std::uint32_t index = history_.find(key);
    if (index == KeyTable::kAbsent) {
      index = static_cast<std::uint32_t>(counts_.size());
      counts_.push_back(0);
      history_.insert(key, index);
    }
    const std::uint64_t count = ++counts_[index];
    std::uint32_t slot = table_.find(key);
    if (slot != KeyTable::kAbsent) {
      buckets_.touch(slot);
      return true;
    }
    if (full()) {
      if (count < buckets_.smallest_count()) return false;
      evict(buckets_.victim());
    }
    slot = store(key);
    buckets_.insert(slot, count);
    return false;
  }

 private:
  void unlink(std::uint32_t slot) override { buckets_.detach(slot); }

  FrequencyBuckets buckets_;
  KeyTable history_;                   // key -> index into counts_
  std::vector<std::uint64_t> counts_;  // requests per key ever seen
};

// ---- TTL --------------------------------------------------------------------------------------

// One list by expiry time, latest at the front: insertions expire at now + T, the latest yet,
// and so do hits that restart the timer (moved to the front). Expired entries are at the back.
class TtlPolicy final : public CachePolicy {
 public:
  TtlPolicy(std::size_t capacity, const TtlSettings& settings)
      : CachePolicy(capacity), settings_(settings) {
    links_.resize(keys_.size());
    expiry_.resize(keys_.size(), 0);
  }

  bool access(std::uint64_t key, double now) override {
    expire(now);
    std::uint32_t slot = table_.find(key);
    if (slot != KeyTable::kAbsent) {
      if (settings_.reset_on_hit) {
        expiry_[slot] = now + settings_.ttl;
        links_.move_to_front(order_, slot);
      }
      return true;
    }
    if (full()) evict(order_.tail);
    slot = store(key);
    expiry_[slot] = now + settings_.ttl;
    links_.push_front(order_, slot);
    return false;
  }

  void start_window(double now) override {
    window_start_ = now;
    overdue_ = 0;
  }

  double overdue_time(double now) const override {
    double total = overdue_;
    for (std::uint32_t s = order_.tail; s != SlotLinks::kNone && expiry_[s] <= now;
         s = links_.previous(s)) {
      total += now - std::max(expiry_[s], window_start_);
    }
    return total;
  }

 private:
  void expire(double now) override {
    while (!order_.empty() && expiry_[order_.tail] <= now) {
      overdue_ += now - std::max(expiry_[order_.tail], window_start_);
      discard(order_.tail);
      ++expirations_;
    }
  }
  void unlink(std::uint32_t slot) override { links_.remove(order_, slot); }
  void grow_slots(std::size_t slots) override {
    links_.resize(slots);
    expiry_.resize(slots, 0);
  }

  TtlSettings settings_;
  SlotLinks links_;
  SlotLinks::Ends order_;       // front: latest expiry
  std::vector<double> expiry_;  // per slot, s
  double window_start_ = 0;
  double overdue_ = 0;
};

}  // namespace

std::unique_ptr<CachePolicy> make_cache_policy(CachePolicyKind kind, std::size_t capacity,
                                               const TtlSettings& ttl, sim::Rng eviction_stream) {
  assert(capacity > 0 || kind == CachePolicyKind::ttl);
  switch (kind) {
    case CachePolicyKind::lru:
      return std::make_unique<RecencyPolicy>(capacity, true);
    case CachePolicyKind::fifo:
      return std::make_unique<RecencyPolicy>(capacity, false);
    case CachePolicyKind::random:
      return std::make_unique<RandomPolicy>(capacity, eviction_stream);
    case CachePolicyKind::lfu:
      return std::make_unique<LfuPolicy>(capacity);
    case CachePolicyKind::perfect_lfu:
      return std::make_unique<PerfectLfuPolicy>(capacity);
    case CachePolicyKind::ttl:
      return std::make_unique<TtlPolicy>(capacity, ttl);
  }
  return nullptr;
}

}  // namespace capsim::models
