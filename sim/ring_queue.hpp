#pragma once
// A growable FIFO ring buffer: O(1) push and pop, no allocation once it has reached its peak size.

#include <cassert>
#include <cstddef>
#include <vector>

namespace capsim::sim {

template <typename T>
class RingQueue final {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  void push_back(T value) {
    if (size_ == items_.size()) grow();
    items_[(head_ + size_) & mask_] = value;
    ++size_;
  }

  T pop_front() {
    assert(size_ > 0);
    T value = items_[head_];
    head_ = (head_ + 1) & mask_;
    --size_;
    return value;
  }

  const T& front() const { return items_[head_]; }

 private:
  void grow() {
    // Power-of-two capacity so the wrap-around is a mask, not a division.
    std::vector<T> bigger(items_.empty() ? 16 : 2 * items_.size());
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = items_[(head_ + i) & mask_];
    items_.swap(bigger);
    mask_ = items_.size() - 1;
    head_ = 0;
  }

  std::vector<T> items_;
  std::size_t mask_ = 0;  // items_.size() - 1 once there are items
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace capsim::sim
