#pragma once
// Birth-death processes: the stationary distribution, and how far a long-run average over a
// finite horizon T strays from its limit. A simulation estimate of a time average (the mean
// number present), of a rate (departures per second) or of a ratio of such (a mean sojourn by
// Little's law, a blocking fraction) is, for large T, normal about its limit with variance
// variance_rate / T; variance_rate is what a test needs to tell whether the simulation is
// noisier than it should be.

#include <vector>

namespace capsim::analytic {

/// A birth-death process on the states 0 .. n, n = birth.size() = death.size() >= 1: from j it
/// moves to j + 1 at rate birth[j] and from j + 1 to j at rate death[j]; all rates > 0.
struct BirthDeathProcess {
  std::vector<double> birth;
  std::vector<double> death;

  std::size_t states() const { return birth.size() + 1; }
};

/// pi_j proportional to prod_{i < j} birth[i] / death[i], walked in logarithms from the largest
/// term so that neither a long chain nor extreme rates overflow.
std::vector<double> stationary_distribution(const BirthDeathProcess& process);

/// An additive functional A(T) of the process over [0, T]: `level[j]` per unit of time spent in
/// j, `up[j]` at each move j -> j + 1, `down[j]` at each move j + 1 -> j, and `event[j]` at each
/// event of a Poisson stream of rate `event_rate[j]` that leaves the state j as it is (an
/// arrival turned away by a full buffer). An empty vector means zeros; otherwise `level`,
/// `event_rate` and `event` have states() entries, `up` and `down` states() - 1.
struct Reward {
  std::vector<double> level = {};
  std::vector<double> up = {};
  std::vector<double> down = {};
  std::vector<double> event_rate = {};
  std::vector<double> event = {};
};

/// A(T) / T -> mean_rate, and Var A(T) / T -> variance_rate (the asymptotic variance), whatever
/// the initial state.
struct AsymptoticMoments {
  double mean_rate = 0;
  double variance_rate = 0;
};

/// The asymptotic mean and variance of A(T), exactly, by the martingale decomposition through
/// Poisson's equation Q h = -(r - m) (Whitt, "Asymptotic formulas for Markov processes with
/// applications to simulation", Operations Research 40(2), 1992; Glynn, "Poisson's equation for
/// the recurrent M/G/1 queue", Adv. Appl. Prob. 26, 1994). On a birth-death process that
/// equation is solved by cutting the chain between j and j + 1: with r(i) the expected reward
/// rate in state i (level, plus each jump's reward times its rate) and m = sum_i r(i) pi_i,
///   G_j = sum_{i <= j} (r(i) - m) pi_i,   D_j = h(j + 1) - h(j) = -G_j / (birth[j] pi_j),
///   variance_rate = sum_j birth[j] pi_j [(up[j] + D_j)^2 + (down[j] - D_j)^2]
///                   + sum_j event_rate[j] pi_j event[j]^2.
/// With a level f alone this is Whitt's 2 sum_j G_j^2 / (birth[j] pi_j); for the number present
/// in M/M/1 it gives 2 rho (1 + rho) / (mu (1 - rho)^4) (Whitt, "Planning queueing
/// simulations", Management Science 35(11), 1989). G_j is summed from below up to the median
/// and as -sum_{i > j} beyond it, so that the tail, where pi_j is tiny, keeps its digits.
/// Throws std::invalid_argument for a rate <= 0 or vectors of the wrong size.
AsymptoticMoments asymptotic_moments(const BirthDeathProcess& process, const Reward& reward);

}  // namespace capsim::analytic
