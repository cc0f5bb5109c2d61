#pragma once
// Closed forms for load balancing: the GI/M/1 queue (renewal arrivals, one exponential server),
// which is what each backend of a round-robin balancer sees, and the mean-field limit of
// "power of d choices". Pure functions; rates per second, times in seconds. Invalid arguments
// throw std::invalid_argument, an unstable queue (rho >= 1) std::domain_error.

#include <functional>

#include "sim/analytic/queueing.hpp"

namespace capsim::analytic {

/// Laplace-Stieltjes transform A*(s) = E[exp(-s T)] of an inter-arrival time T, for s >= 0.
using InterarrivalTransform = std::function<double(double)>;

/// A*(s) of an Erlang-k inter-arrival time with mean 1/arrival_rate (k phases of rate
/// k * arrival_rate): (k lambda / (k lambda + s))^k. Round robin over k backends gives each
/// backend every k-th request of a Poisson stream of rate k lambda: exactly this.
double erlang_transform(int phases, double arrival_rate, double s);

/// The GI/M/1 root: the unique sigma in (0, 1) with sigma = A*(mu (1 - sigma)) when
/// rho = lambda / mu < 1 (lambda = 1 / E[T]). sigma is the probability that an arrival finds the
/// server busy; arrivals see a geometric number in system, P(n) = (1 - sigma) sigma^n.
/// Solved by bisection to 1e-14: g(sigma) = A*(mu (1 - sigma)) - sigma is convex, positive at
/// 0 and negative on (sigma, 1). Gross & Harris, Fundamentals of Queueing Theory, 4th ed.,
/// section 6.4 (GI/M/1); Kleinrock, Queueing Systems vol. 1, section 6.4.
/// For Poisson arrivals (A*(s) = lambda / (lambda + s)) sigma = rho.
double gi_m_1_sigma(const InterarrivalTransform& transform, double arrival_rate,
                    double service_rate);

/// Steady-state means of a GI/M/1 queue from its root sigma:
/// W = 1 / (mu (1 - sigma)), Wq = sigma W, L = lambda W, Lq = lambda Wq, utilization = rho,
/// p_wait = sigma (the fraction of arrivals that wait), throughput = lambda.
StationMetrics gi_m_1(double arrival_rate, double service_rate, double sigma);

/// q-quantile of the GI/M/1 wait: P(Wq > t) = sigma exp(-mu (1 - sigma) t), so 0 when
/// q <= 1 - sigma, else ln(sigma / (1 - q)) / (mu (1 - sigma)).
double gi_m_1_wait_quantile(double service_rate, double sigma, double q);
/// q-quantile of the GI/M/1 sojourn, exponential with rate mu (1 - sigma):
/// -ln(1 - q) / (mu (1 - sigma)).
double gi_m_1_sojourn_quantile(double service_rate, double sigma, double q);

/// Mean-field limit (n -> infinity) of n identical M/M/1 queues fed by one Poisson stream where
/// each request joins the shortest of d >= 2 queues sampled at random: the fraction of queues
/// holding at least i requests is s_i = rho^((d^i - 1) / (d - 1)) (Vvedenskaya, Dobrushin &
/// Karpelevich, Problems of Information Transmission 32(1), 1996; Mitzenmacher, IEEE TPDS
/// 12(10), 2001). rho = lambda / (n mu) < 1, i >= 0 (s_0 = 1).
double power_of_d_tail(double rho, int choices, int at_least);
/// Mean number in one queue in that limit, L = sum_{i >= 1} s_i (terms fall doubly
/// exponentially; summed until they vanish). Mean sojourn by Little: W = L / (rho mu).
double power_of_d_mean_number(double rho, int choices);

}  // namespace capsim::analytic
