#pragma once
// Mean response time of a fork-join section over K identical M/M/1 branches: each request
// arriving (Poisson, rate lambda) is split into K tasks, one per branch; each branch is a FIFO
// queue with exponential service (rate mu); the request completes when its last task does.
// Pure functions; invalid arguments throw std::invalid_argument, lambda >= mu std::domain_error.

namespace capsim::analytic {

/// Exact mean fork-join response time for K = 2 (Flatto & Hahn 1984; Nelson & Tantawi 1988,
/// eq. 2):  R_2 = (12 - rho) / 8 * 1 / (mu - lambda),  rho = lambda / mu < 1.
double fork_join_two_mm1(double arrival_rate, double service_rate);

/// The Nelson-Tantawi scaling approximation for K >= 2 branches (IEEE Trans. Computers 37(6),
/// 1988; Thomasian, ACM Computing Surveys 47(2), 2014, eq. 3):
///   R_K ~= [H_K / H_2 + (1 - H_K / H_2) 4 rho / 11] R_2,  H_K = 1 + 1/2 + ... + 1/K.
/// Exact for K = 2. Published accuracy: relative error below 5% (against simulation) for
/// 2 <= K <= 32; outside that range it is extrapolation.
double fork_join_mm1_nelson_tantawi(int branches, double arrival_rate, double service_rate);

/// Relative error bound of the Nelson-Tantawi approximation for K <= 32, as published.
inline constexpr double kNelsonTantawiRelativeError = 0.05;

/// The harmonic number H_K = sum_{i=1}^{K} 1/i (K >= 1).
double harmonic_number(int k);

}  // namespace capsim::analytic
