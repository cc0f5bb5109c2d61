#pragma once
// Closed-form results for single queueing stations. Pure functions; rates per second, times in
// seconds. Invalid arguments (rates <= 0, servers < 1, capacity < servers, q outside (0, 1)) throw
// std::invalid_argument; an unstable station (load >= capacity, no finite buffer) throws
// std::domain_error.

namespace capsim::analytic {

/// Steady-state metrics of one station. For loss/finite stations, W and Wq are over accepted
/// requests.
struct StationMetrics {
  double arrival_rate = 0;  ///< offered rate lambda
  double throughput = 0;    ///< accepted (= departure) rate, lambda (1 - blocking)
  double utilization = 0;   ///< per-server busy fraction, throughput * E[S] / c (0..1)
  double blocking = 0;      ///< probability an arrival is rejected (finite capacity only)
  double L = 0;             ///< time-average number in station
  double Lq = 0;            ///< time-average number waiting
  double W = 0;             ///< mean sojourn of accepted requests
  double Wq = 0;            ///< mean wait of accepted requests
  double p_wait = 0;        ///< probability an accepted request waits (> 0)
};

/// Erlang B blocking probability B(c, a) for offered load a = lambda/mu erlangs (stable recursion).
double erlang_b(int servers, double offered_load);
/// Erlang C probability of waiting C(c, a); requires a < c.
double erlang_c(int servers, double offered_load);

/// M/M/1; requires lambda < mu.
StationMetrics mm1(double arrival_rate, double service_rate);
/// A stable single FIFO server with exponential service, from its mean sojourn W and the
/// probability p that an arrival waits (M/M/1: rho; GI/M/1: sigma): Wq = p W (a waiting arrival
/// waits for whole exponential services), L and Lq by Little's law.
StationMetrics exponential_server(double arrival_rate, double utilization, double p_wait,
                                  double sojourn);
/// M/M/c; requires lambda < c mu. Stable for c up to at least 1000.
StationMetrics mmc(double arrival_rate, double service_rate, int servers);
/// M/M/c/K with K >= c total places (servers included); any lambda > 0.
StationMetrics mmck(double arrival_rate, double service_rate, int servers, int capacity);
/// M/M/c/c Erlang loss system.
StationMetrics mmcc(double arrival_rate, double service_rate, int servers);
/// M/M/inf (also M/G/inf for the means): L = lambda/mu, W = 1/mu, Lq = Wq = p_wait = 0.
/// utilization is reported as 0: with no finite server count there is no per-server busy fraction
/// (L itself is the mean number of busy servers).
StationMetrics mminf(double arrival_rate, double service_rate);
/// M/G/1 by Pollaczek-Khinchine; service given by mean and squared coefficient of variation.
StationMetrics mg1(double arrival_rate, double mean_service, double service_scv);

/// q-quantile (0 < q < 1) of the M/M/1 sojourn time: -ln(1-q)/(mu - lambda).
double mm1_sojourn_quantile(double arrival_rate, double service_rate, double q);
/// q-quantile of the M/M/c waiting time: 0 if q <= 1 - C, else ln(C/(1-q)) / (c mu - lambda).
double mmc_wait_quantile(double arrival_rate, double service_rate, int servers, double q);
/// q-quantile of the M/M/c sojourn time (wait + service), by solving its closed-form tail
/// numerically.
double mmc_sojourn_quantile(double arrival_rate, double service_rate, int servers, double q);

}  // namespace capsim::analytic
