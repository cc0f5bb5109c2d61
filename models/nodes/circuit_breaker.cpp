#include "models/nodes/circuit_breaker.hpp"

#include <cassert>

namespace capsim::models {

CircuitBreaker::CircuitBreaker(double failure_ratio, std::uint32_t window, std::uint32_t probes)
    : failure_ratio_(failure_ratio), probes_(probes), failed_(window, 0) {
  assert(window >= 1 && probes >= 1 && failure_ratio >= 0 && failure_ratio < 1);
}

bool CircuitBreaker::permit() {
  switch (state_) {
    case State::closed:
      return true;
    case State::open:
      return false;
    case State::half_open:
      if (probes_sent_ == probes_) return false;
      ++probes_sent_;
      return true;
  }
  return false;
}

void CircuitBreaker::record(std::uint32_t epoch, bool success) {
  if (epoch != epoch_) return;
  if (state_ == State::half_open) {
    if (!success) {
      enter(State::open);
    } else if (++probes_succeeded_ == probes_) {
      enter(State::closed);
    }
    return;
  }
  assert(state_ == State::closed && "no call is let through while open");
  const auto window = static_cast<std::uint32_t>(failed_.size());
  if (recorded_ == window) {
    failures_ -= failed_[next_];
  } else {
    ++recorded_;
  }
  failed_[next_] = success ? 0 : 1;
  failures_ += failed_[next_];
  next_ = next_ + 1 == window ? 0 : next_ + 1;
  // The tolerance keeps the rounding of ratio * window (0.57 * 100 = 56.99999999999999) from
  // opening the breaker at a ratio that only equals the threshold.
  constexpr double kRounding = 1e-9;
  if (recorded_ == window &&
      static_cast<double>(failures_) > failure_ratio_ * static_cast<double>(window) + kRounding) {
    enter(State::open);
  }
}

void CircuitBreaker::half_open() {
  assert(state_ == State::open);
  enter(State::half_open);
}

void CircuitBreaker::enter(State state) {
  state_ = state;
  ++epoch_;
  probes_sent_ = probes_succeeded_ = 0;
  if (state == State::closed) {
    // A fresh start: the failures that opened the breaker are history.
    next_ = recorded_ = failures_ = 0;
  }
}

}  // namespace capsim::models
