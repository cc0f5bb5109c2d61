#pragma once
// The M/M/c queue whose servers fail and are repaired: a quasi-birth-death process solved by
// matrix-analytic methods. Rates per second, times in seconds.

#include <optional>

namespace capsim::analytic {

/// What happens to the request in service when its server fails.
enum class Interrupted {
  requeue,  ///< back to the head of the queue; its service restarts (for exponential service,
            ///< the same as resuming it: the remaining service is memoryless)
  drop,     ///< lost
};

/// Steady-state metrics of a station with server breakdowns.
struct BreakdownMetrics {
  double availability = 0;     ///< E[servers up] / c
  double throughput = 0;       ///< completions per second, mu E[busy servers]
  double utilization = 0;      ///< E[busy servers] / c
  double blocking = 0;         ///< P(an arrival finds K present), 0 with unlimited capacity
  double drop_rate = 0;        ///< requests lost to failures per second
  double rejection_ratio = 0;  ///< (blocked + dropped) / arrivals
  double L = 0;                ///< time-average number in the station
  double Lq = 0;               ///< time-average number waiting (interrupted ones included)
  /// Mean sojourn of completed requests, L / throughput by Little's law; only with requeue
  /// (with drop, the dropped requests' time in the station is not part of it): NaN then.
  double W = 0;
};

/// Poisson arrivals (rate lambda) at c servers with exponential service (rate mu) and room for
/// `capacity` requests in all (absent: unlimited). Each server, busy or idle, fails after an
/// exponential up time (rate failure_rate) and is repaired after an exponential down time (rate
/// repair_rate), independently of the others; a down server serves nothing. State (n in the
/// station, u servers up), min(n, u) of them busy: a level-dependent QBD for n < c, homogeneous
/// for n >= c. R from G by logarithmic reduction (Latouche & Ramaswami, "A logarithmic reduction
/// algorithm for quasi-birth-death processes", J. Appl. Prob. 30, 1993), boundary levels by
/// linear level reduction (Latouche & Ramaswami, "Introduction to Matrix Analytic Methods in
/// Stochastic Modeling", 1999, ch. 10). Throws std::invalid_argument for rates <= 0, servers
/// outside [1, 64], capacity < servers or a state space too large to solve quickly
/// (capacity * (c+1)^3 > 1e9), and std::domain_error when unlimited capacity is unstable
/// (mean drift up >= down: with requeue, lambda >= mu c availability).
BreakdownMetrics mmc_with_breakdowns(double arrival_rate, double service_rate, int servers,
                                     std::optional<int> capacity, double failure_rate,
                                     double repair_rate, Interrupted interrupted);

}  // namespace capsim::analytic
