#pragma once
// Mean waits of multi-class single stations with non-preemptive (head-of-the-line) priority.
// Pure functions; rates per second, times in seconds. Invalid arguments throw
// std::invalid_argument; an unstable station (total load >= 1) throws std::domain_error.

#include <vector>

namespace capsim::analytic {

/// One class of requests at a station.
struct PriorityClass {
  double arrival_rate = 0;  ///< lambda_k, Poisson, /s (>= 0)
  double mean_service = 0;  ///< E[S_k], s (> 0)
  double service_scv = 1;   ///< Var[S_k] / E[S_k]^2 (>= 0, finite)
  int priority = 0;         ///< lower is served first; equal priorities form one FIFO level
};

/// Mean wait in queue Wq_k of every class at an M/G/1 station with non-preemptive priority
/// (Cobham 1954; Kleinrock, Queueing Systems vol. 2, 1976, sec. 3.6):
///   W0 = sum_i lambda_i E[S_i^2] / 2,  E[S^2] = E[S]^2 (1 + scv)   (mean residual work)
///   Wq_k = W0 / ((1 - sigma_{<k}) (1 - sigma_{<=k}))
/// where sigma_{<k} is the load rho_i = lambda_i E[S_i] of the levels served before class k's and
/// sigma_{<=k} adds its own level. With a single level this is Pollaczek-Khinchine:
/// Wq = W0 / (1 - rho). Requires sum rho_i < 1. Results in the order of `classes`.
std::vector<double> mg1_priority_waits(const std::vector<PriorityClass>& classes);

/// Mean wait in queue of every class at an M/M/c station with non-preemptive priority, all
/// classes exponential with the same service rate mu (Larson & Odoni, Urban Operations
/// Research, 1981, eq. 4.111; Gross & Harris, Fundamentals of Queueing Theory, sec. 3.4):
///   Wq_k = C(c, a) / (c mu) / ((1 - sigma_{<k}) (1 - sigma_{<=k})),
/// a = lambda / mu, C the Erlang C probability, sigma the load lambda_i / (c mu) of the levels
/// served before class k's (and including it). With one level this is M/M/c:
/// Wq = C(c, a) / (c mu - lambda). Requires lambda < c mu.
std::vector<double> mmc_priority_waits(const std::vector<double>& arrival_rates,
                                       const std::vector<int>& priorities, double service_rate,
                                       int servers);

}  // namespace capsim::analytic
