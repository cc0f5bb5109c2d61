#pragma once
// The state machine of a circuit breaker, independent of the simulator (count-based sliding
// window, as in Resilience4j's CircuitBreaker and Hystrix): closed lets every call through and
// watches the failure ratio of the last `window` calls; when it exceeds the threshold the breaker
// opens and lets nothing through; after a while (the node's timer) it turns half-open and lets
// `probes` calls through: if all succeed it closes again, if one fails it reopens.

#include <cstdint>
#include <vector>

namespace capsim::models {

class CircuitBreaker final {
 public:
  enum class State : std::uint8_t { closed, open, half_open };

  /// `failure_ratio` in [0, 1): open when failures / window > failure_ratio over a full window of
  /// the last `window` (>= 1) outcomes; `probes` (>= 1) calls are let through when half-open.
  CircuitBreaker(double failure_ratio, std::uint32_t window, std::uint32_t probes);

  State state() const { return state_; }
  /// Changes with every change of state. A call remembers it when it is let through, so the
  /// outcome of a call let through in an earlier state (say, before the breaker opened) is
  /// ignored: only the current state's calls count.
  std::uint32_t epoch() const { return epoch_; }

  /// Whether a call may go through now: always when closed, never when open, the first `probes`
  /// calls when half-open (the others are short-circuited until the probes have answered).
  bool permit();
  /// Records the outcome of a call let through in `epoch`; may change the state.
  void record(std::uint32_t epoch, bool success);
  /// Open -> half-open: the node calls it `open_for` after the breaker opened.
  void half_open();

  /// Failures among the outcomes in the window (closed state).
  std::uint32_t failures_in_window() const { return failures_; }

 private:
  void enter(State state);

  double failure_ratio_;
  std::uint32_t probes_;
  State state_ = State::closed;
  std::uint32_t epoch_ = 0;
  std::vector<std::uint8_t> failed_;  // ring of the last `window` outcomes: 1 = failure
  std::uint32_t next_ = 0;            // where the next outcome goes
  std::uint32_t recorded_ = 0;        // outcomes in the ring, up to its size
  std::uint32_t failures_ = 0;        // failures in the ring
  std::uint32_t probes_sent_ = 0;
  std::uint32_t probes_succeeded_ = 0;
};

}  // namespace capsim::models
