#pragma once
// Recycled slots: values of one type in a vector, referred to by a 32-bit index.

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace capsim::sim {

/// Values kept in the slots of one vector and referred to by index, so that events and records
/// carry 32 bits rather than a pointer. A released slot is reused before the vector grows (the
/// last released first), so once the pool has reached its peak occupancy acquiring allocates
/// nothing; the free slots form a list threaded through the field `Link` of the value (the
/// owner's to use while it holds the slot), so releasing never allocates either.
/// A reused slot keeps what it held, the link aside: the owner sets what it needs (a fresh value,
/// or everything but a count it keeps across uses). Inline: the event path acquires and releases.
template <typename T, std::uint32_t T::*Link>
class SlotPool {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;

  /// A slot nobody holds: the last released, or else a new one (value-initialized).
  std::uint32_t acquire() {
    if (free_head_ == kNone) [[unlikely]]
      grow();
    const std::uint32_t slot = free_head_;
    free_head_ = slots_[slot].*Link;
    return slot;
  }
  void release(std::uint32_t slot) {
    slots_[slot].*Link = free_head_;
    free_head_ = slot;
  }

  T& operator[](std::uint32_t slot) { return slots_[slot]; }
  const T& operator[](std::uint32_t slot) const { return slots_[slot]; }
  /// Slots made so far, held or free.
  std::size_t size() const { return slots_.size(); }

 private:
  // Grows by half again and links the new slots in index order, so that slots are first taken
  // in the order they were made. Out of line: it runs at a new peak only.
  [[gnu::noinline]] void grow() {
    const std::size_t old_size = slots_.size();
    const std::size_t new_size = old_size < 16 ? 16 : old_size + old_size / 2;
    if (new_size > kNone) throw std::length_error("more than 2^32 - 1 slots in a pool");
    slots_.resize(new_size);
    for (std::size_t slot = new_size; slot-- > old_size;) release(static_cast<std::uint32_t>(slot));
  }

  std::vector<T> slots_;
  std::uint32_t free_head_ = kNone;
};

}  // namespace capsim::sim
