#pragma once
// Closed forms and exact Markov-chain results for rate limiters fed by Poisson arrivals: the
// fixed window, the discrete token bucket (and the leaky bucket used as a meter, which admits
// exactly the same requests), and the leaky bucket used as a queue (M/D/1/K, through the
// embedded chain of M/G/1/K). Pure functions; rates per second, times in seconds. Invalid
// arguments throw std::invalid_argument; problems too large to solve exactly (see
// embedded_chain_feasible) throw std::domain_error.

#include <cstdint>
#include <span>
#include <vector>

#include "sim/analytic/queueing.hpp"

namespace capsim::analytic {

/// E[min(N, cap)] for N ~ Poisson(mean), mean >= 0, cap >= 0:
///   E[min(N, n)] = sum_{k<n} k P(N = k) + n P(N >= n) = mean P(N <= n - 2) + n P(N >= n)
/// (since k P(N = k) = mean P(N = k - 1)). The pmf is built by its ratios mean / (k + 1) from the
/// mode outwards and normalized over mode +- (15 sqrt(mean) + 40), beyond which the mass is below
/// 1e-25 (Chernoff): no overflow, no lgamma cancellation, O(sqrt(mean)) work. mean <= 1e12.
double poisson_truncated_mean(double mean, std::int64_t cap);

/// Expected admissions in [from, to) (0 <= from <= to) of a fixed-window limiter that admits the
/// first `limit` requests of each window [k T, (k + 1) T), k = 0, 1, ... (aligned at t = 0), fed
/// by Poisson arrivals at `arrival_rate`. Admissions in [k T, x) are min(N(k T, x), limit), so
/// with A(x) = floor(x / T) E[min(N_T, n)] + E[min(N(x - floor(x / T) T), n)] the expected
/// admissions in [0, x), the answer is A(to) - A(from): exact, partial windows included.
double fixed_window_admissions(double arrival_rate, double window, std::int64_t limit, double from,
                               double to);

/// Long-run fraction of Poisson arrivals a fixed window admits: E[min(N, n)] / E[N] with
/// N ~ Poisson(lambda T).
double fixed_window_admitted_fraction(double arrival_rate, double window, std::int64_t limit);

/// The exact solvers below work on a chain of `states` states where up to
/// m = lambda / r + 15 sqrt(lambda / r) + 40 arrivals per step matter; they run in O(states m).
/// True when that is affordable (lambda / r <= 200 and states * m <= 1e9).
bool embedded_chain_feasible(double arrivals_per_step, std::int64_t states);

/// A discrete token bucket fed by Poisson arrivals at lambda: the bucket holds at most b tokens,
/// starts full, and gains one token at every t = k / r (k = 1, 2, ...; a token finding the
/// bucket full is lost); a request that finds a token takes it and is admitted, else rejected.
struct TokenBucketMetrics {
  double arrival_rate = 0;           ///< lambda, requests/s
  double admitted_rate = 0;          ///< requests admitted per second, <= min(lambda, r)
  double rejection_probability = 0;  ///< 1 - admitted_rate / lambda (PASTA: also per request)
  double lost_token_rate = 0;        ///< tokens/s that found the bucket full, r - admitted_rate
};

/// Stationary distribution of the deficit D = b - tokens just after a token is added (D in
/// 0 .. b - 1), for the bucket above. With N ~ Poisson(lambda / r) arrivals between tokens,
///   D' = max(min(D + N, b) - 1, 0),
/// a chain that moves down at most one step at a time, so the balance of every cut between j and
/// j + 1 gives the next probability from the previous ones, a sum of positive terms (no
/// cancellation):
///   pi_{j+1} P(N = 0) = pi_0 P(N >= j + 2) + sum_{i=1..j} pi_i P(N >= j + 2 - i).
/// Requires embedded_chain_feasible(lambda / r, b).
std::vector<double> token_bucket_deficit_distribution(double arrival_rate, double token_rate,
                                                      std::int64_t burst);

/// The bucket's long-run rates from that chain. Every admitted request takes one token and every
/// token is either taken or lost (at a token instant with D = 0 and no arrival in the preceding
/// interval), so admitted_rate = r (1 - pi_0 P(N = 0)). Equivalently r E[min(b - D, N)] (the
/// tests check both). The leaky bucket as a meter (level + 1 <= b conforms, one unit leaks every
/// 1 / r) is the same bucket with level = b - tokens. Requires embedded_chain_feasible.
TokenBucketMetrics token_bucket(double arrival_rate, double token_rate, std::int64_t burst);

/// M/G/1/K by its embedded chain at departures (Gross, Shortle, Thompson & Harris, Fundamentals
/// of Queueing Theory, 4th ed., chapter 5, M/G/1/K): a_k = P(k arrivals during one service), given
/// as `arrivals_per_service` (a_0 > 0; the mass past its end must be negligible). The number left
/// behind by a departure, 0 .. K - 1, moves up by a batch of arrivals and down by one, and its
/// cut equations read pi_{j+1} a_0 = pi_0 P(A >= j + 1) + sum_{i=1..j} pi_i P(A >= j + 2 - i).
/// Time averages: p_j = pi_j / (pi_0 + rho) for j < K and p_K = 1 - 1 / (pi_0 + rho) (the
/// blocking probability, by PASTA), rho = lambda E[S]. Then throughput = lambda (1 - p_K),
/// utilization = 1 - p_0 = rho / (pi_0 + rho), L = sum j p_j, Lq = L - utilization,
/// W = L / throughput (Little), Wq = W - E[S], and p_wait = 1 - pi_0 (accepted arrivals see
/// what departures leave behind). capacity K >= 1, service included. Blocking is accurate to
/// about 1e-15 absolute (it is formed as a difference when small).
StationMetrics mg1k_embedded(double arrival_rate, double mean_service,
                             std::span<const double> arrivals_per_service, std::int64_t capacity);

/// M/D/1/K: mg1k_embedded with a_k the Poisson(lambda / mu) pmf. Requires
/// embedded_chain_feasible(lambda / mu, K).
StationMetrics md1k(double arrival_rate, double service_rate, std::int64_t capacity);

/// The Poisson(mean) pmf P(N = k), k = 0 .. m with m = mean + 15 sqrt(mean) + 40 (the rest of
/// the mass is below 1e-25), built by ratios from the mode and normalized. mean <= 200.
std::vector<double> poisson_pmf_table(double mean);

}  // namespace capsim::analytic
