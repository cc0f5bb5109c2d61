#pragma once
// How precise a simulation's estimates of a station's metrics are, from theory: each estimate
// over a measurement window of T seconds is, for large T, normal about its limit with variance
// variance_rate / T. The variance rates below are what a test compares the spread of its
// replications with, so that an estimator noisier than the model (a bug that adds variance, a
// warm-up too short) is caught rather than hidden in a wide interval. Rates per second, times in
// seconds. Invalid arguments throw std::invalid_argument; an unstable station std::domain_error.

#include <cstdint>
#include <optional>

namespace capsim::analytic {

/// Variance rates of the estimates of an M/M/c/K station's metrics. Per-request means are sums
/// over the requests leaving in the window divided by their number; up to the requests that
/// straddle the window's edges, the sum of sojourns is the integral of the number present (Little's
/// law on the sample path), so W = int X dt / departures + O(1/T), and its variance follows from
/// the functional int X dt - W departures by the delta method (both asymptotic, exact as
/// T -> infinity); the same for Wq with the number waiting, p_wait with the admitted arrivals
/// that find every server busy, and blocking with the arrivals turned away.
struct StationEstimatorVariances {
  double throughput = 0;   ///< departures / T
  double utilization = 0;  ///< busy server-time / (c T)
  double L = 0;            ///< time-average number present
  double Lq = 0;           ///< time-average number waiting
  double W = 0;            ///< mean sojourn of the departures
  double Wq = 0;           ///< mean wait of the departures
  double p_wait = 0;       ///< fraction of admitted requests that wait
  double blocking = 0;     ///< fraction of arrivals turned away (0 with no capacity)
};

/// M/M/c/K (capacity K >= c places, servers included), or M/M/c with no capacity (then lambda <
/// c mu, and the chain is cut where the geometric tail can no longer move a variance in its 15th
/// digit), exactly, by asymptotic_moments() of its birth-death chain (birth_death.hpp).
StationEstimatorVariances mmck_estimator_variances(double arrival_rate, double service_rate,
                                                   int servers, std::optional<int> capacity);

/// Variance rates of the throughput and utilization of a stable station that loses nothing (no
/// capacity, no timeout), whatever its servers, discipline or service distribution, fed by a
/// renewal stream (inter-arrival times with squared coefficient of variation `arrival_scv`, 1
/// for Poisson) with independent service times (mean `service_mean`, scv `service_scv`).
/// Departures are the arrivals less the change in the number present, and the busy server-time
/// is the work that arrived less the change in the work present; both changes stay bounded in
/// a stable station, so departures vary as the renewal count, lambda c_a^2 (Cox, Renewal Theory,
/// 1962, sec. 3.3), and the busy time as the work of a compound renewal sum,
/// lambda E[S]^2 (c_s^2 + c_a^2) (Gut, Stopped Random Walks, 1988, ch. 4), over c^2 for the
/// per-server utilization. M/G/1: lambda E[S^2].
struct LosslessVariances {
  double throughput = 0;
  double utilization = 0;
};
LosslessVariances lossless_station_variances(double arrival_rate, double arrival_scv,
                                             double service_mean, double service_scv, int servers);

/// Variance rate of the fraction of requests that wait in M/G/1 (FIFO or any order that serves
/// while requests are present): those that do not wait are the first of each busy period, so by
/// the regenerative method over busy cycles (Crane & Iglehart, "Simulating stable stochastic
/// systems", J. ACM 21, 1974; Asmussen & Glynn, Stochastic Simulation, 2007, sec. IV.4), with
/// Var N = (rho (1 - rho) + lambda^2 E[S^2]) / (1 - rho)^3 for the number N served in a busy
/// period (Takacs, Introduction to the Theory of Queues, 1962, ch. 1; Gross & Harris, sec. 5.1.8),
///   variance_rate = (1 - rho)^3 Var N / lambda = (rho (1 - rho) + lambda^2 E[S^2]) / lambda.
/// Requires rho < 1.
double mg1_p_wait_variance(double arrival_rate, double service_mean, double service_scv);

/// Variance rates of the throughput and the rejection ratio of a fixed-window limiter (the
/// first `limit` requests of each aligned window admitted) fed by Poisson arrivals, measured
/// over whole windows: windows are independent, each admitting M = min(N, limit) of
/// N ~ Poisson(lambda window), so throughput varies as Var M / window, and the rejection ratio
/// R / N by the delta method as Var((1 - r) N - M) / (window lambda^2), r = 1 - E M / E N.
/// lambda window <= 200.
struct FixedWindowVariances {
  double throughput = 0;
  double rejection_ratio = 0;
};
FixedWindowVariances fixed_window_variances(double arrival_rate, double window, std::int64_t limit);

}  // namespace capsim::analytic
