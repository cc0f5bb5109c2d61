#pragma once
// Exact Mean Value Analysis of a closed, single-class, product-form queueing network: N users
// who alternate between thinking and waiting for a reply, and stations described by their total
// service demand per request.
//
// Sources: M. Reiser and S. S. Lavenberg, "Mean-Value Analysis of Closed Multichain Queuing
// Networks", J. ACM 27(2), 1980; E. D. Lazowska, J. Zahorjan, G. S. Graham and K. C. Sevcik,
// "Quantitative System Performance", Prentice-Hall 1984 (ch. 6 for single-server and delay
// centers, ch. 20 for load-dependent centers); G. Bolch et al., "Queueing Networks and Markov
// Chains", 2nd ed., Wiley 2006, section 8.2.1 (the multi-server form used here).

#include <span>
#include <vector>

namespace capsim::analytic {

/// A station of a closed network, as MVA sees it.
/// Most stations with 1 < c < N servers that mva() accepts (its cost doubles with each).
inline constexpr int kMaxMultiServerStations = 12;

struct MvaStation {
  /// D_k = V_k S_k: service demand of one request over all its visits (visit ratio times mean
  /// service time of one visit), s. >= 0.
  double demand = 0;
  /// c identical servers (>= 1) sharing one FCFS queue with exponential service. Ignored when
  /// `infinite_servers` is set.
  int servers = 1;
  /// A delay (infinite-server) station: no queueing, any service distribution (insensitive).
  bool infinite_servers = false;

  static MvaStation queueing(double demand, int servers = 1) { return {demand, servers, false}; }
  static MvaStation delay(double demand) { return {demand, 1, true}; }
};

/// One station's steady-state means at population N.
struct MvaStationResult {
  double residence = 0;     ///< R_k: time a request spends at the station over all its visits, s
  double queue_length = 0;  ///< L_k = X R_k: mean number present, waiting or in service
  double busy_servers = 0;  ///< X D_k: mean number of busy servers (utilization law)
  double utilization = 0;   ///< X D_k / c per server; 0 for a delay (no finite server count)
  /// Probability that an arriving request finds every server busy and waits. By the arrival
  /// theorem (Sevcik & Mitrani 1981; Lavenberg & Reiser 1980) an arrival sees the time-average
  /// state of the network with N - 1 users. 0 for a delay.
  double p_wait = 0;
};

struct MvaResult {
  int users = 0;
  double think = 0;       ///< Z, s
  double throughput = 0;  ///< X(N): requests (cycles) completed per second
  double response = 0;    ///< R(N) = sum of R_k = N / X - Z: mean time from send to reply, s
  std::vector<MvaStationResult> stations;  ///< parallel to the input
};

/// Exact MVA for `users` >= 1 users with mean think time `think` >= 0 s.
///
/// For n = 1 .. N, with the arrival theorem (an arrival sees the network with n - 1 users):
///   delay:          R_k(n) = D_k
///   one server:     R_k(n) = D_k (1 + L_k(n-1))
///   c servers:      R_k(n) = (D_k / c) (1 + L_k(n-1) + sum_{j=0}^{c-2} (c-1-j) p_k(j | n-1))
///   X(n) = n / (Z + sum_k R_k(n)),   L_k(n) = X(n) R_k(n)                       (Little's law)
///   p_k(j | n) = (D_k X(n) / j) p_k(j-1 | n-1) for 1 <= j < c.
/// The c-server step is load-dependent MVA with rates min(j, c) mu (Reiser & Lavenberg 1980;
/// Lazowska et al. ch. 20) rewritten so that only p_k(j) for j < c is needed. The textbook
/// p_k(0 | n) = 1 - sum_{j>=1} p_k(j | n) (or its utilization-law variant) subtracts nearly equal
/// numbers near saturation, and the error grows from one population to the next (200 users on
/// 8 servers at 10 offered erlangs already give X 16% low). Instead
///   p_k(0 | n) = p_k(0 | n-1) X(n) / X_{-k}(n),
/// exact because p_k(0 | n) = G_{-k}(n) / G(n) (G: normalization constants, -k: the network
/// without station k) and X(n) = G(n-1) / G(n); X_{-k} comes from MVA of that complement
/// network, solved the same way and memoized per subset of multi-server stations. Every step
/// multiplies or adds positive numbers, so nothing cancels. A station with c >= N servers never
/// queues and is solved as a delay. Cost O(2^m N sum_k min(c_k, N)) for m multi-server stations
/// (1 < c < N); at most kMaxMultiServerStations of them.
///
/// Throws std::invalid_argument for users < 1, negative or non-finite think or demands,
/// servers < 1, a network without any time in it (Z = 0 and every D_k = 0), more than
/// kMaxMultiServerStations multi-server stations, or a network so large that solving it would
/// take more than about 1e9 steps or 16e6 stored throughputs (2^m N).
MvaResult mva(int users, double think, std::span<const MvaStation> stations);

/// Asymptotic bounds on X(N) (Denning & Buzen 1978; Lazowska et al. section 5.2), with
/// D = sum_k D_k:  N / (N D + Z) <= X(N) <= min(N / (D + Z), min_k c_k / D_k over queueing
/// stations). The lower bound is the single-server case where every other user is always ahead.
struct ThroughputBounds {
  double lower = 0;
  double upper = 0;
};
ThroughputBounds throughput_bounds(int users, double think, std::span<const MvaStation> stations);

}  // namespace capsim::analytic
