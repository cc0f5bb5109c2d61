#include "sim/analytic/breakdowns.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace capsim::analytic {

namespace {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
using RowVector = Eigen::RowVectorXd;

constexpr int kMaxServers = 64;
constexpr double kMaxWork = 1e9;  // levels * phases^3: the cost of the level reduction

// The generator's blocks at level n (n requests in the station); phase u = servers up, 0..c.
struct Blocks {
  double lambda, mu, gamma, delta;
  int c;
  std::optional<int> capacity;
  bool drop;

  Eigen::Index phases() const { return c + 1; }
  // Level n -> n + 1: an arrival, unless the station is full.
  Matrix up(int n) const {
    const bool room = !capacity || n < *capacity;
    return Matrix::Identity(phases(), phases()) * (room ? lambda : 0.0);
  }
  // Level n -> n - 1: a completion, or (drop) a busy server failing with its request.
  Matrix down(int n) const {
    Matrix block = Matrix::Zero(phases(), phases());
    for (int u = 0; u <= c; ++u) {
      const double busy = std::min(n, u);
      block(u, u) = mu * busy;
      if (drop && u > 0) block(u, u - 1) = gamma * busy;
    }
    return block;
  }
  // Within level n: failures that keep the request count (all of them with requeue, the idle
  // servers' with drop), repairs, and the diagonal that makes every row of the generator sum to 0.
  Matrix local(int n) const {
    Matrix block = Matrix::Zero(phases(), phases());
    const Matrix to_up = up(n);
    const Matrix to_down = down(n);
    for (int u = 0; u <= c; ++u) {
      const double busy = std::min(n, u);
      if (u > 0) block(u, u - 1) = gamma * (drop ? u - busy : u);
      if (u < c) block(u, u + 1) = delta * (c - u);
      block(u, u) = -(block.row(u).sum() + to_up.row(u).sum() + to_down.row(u).sum());
    }
    return block;
  }
};

Matrix inverse(const Matrix& m) {
  return m.partialPivLu().inverse();
}

// The stationary distribution x of an irreducible generator Q: x Q = 0, x 1 = 1.
RowVector stationary(const Matrix& q) {
  Matrix system = q.transpose();
  system.row(0).setOnes();
  Vector rhs = Vector::Zero(q.rows());
  rhs(0) = 1;
  return system.fullPivLu().solve(rhs).transpose();
}

// R, the minimal solution of A0 + R A1 + R^2 A2 = 0, from G (A2 + A1 G + A0 G^2 = 0) by
// logarithmic reduction: quadratic convergence, so a few dozen steps even close to saturation.
Matrix rate_matrix(const Matrix& a0, const Matrix& a1, const Matrix& a2) {
  const Eigen::Index m = a0.rows();
  const Matrix identity = Matrix::Identity(m, m);
  const Matrix minus_a1_inverse = inverse(-a1);
  Matrix high = minus_a1_inverse * a0;
  Matrix low = minus_a1_inverse * a2;
  Matrix g = low;
  Matrix t = high;
  for (int step = 0; step < 200; ++step) {
    const Matrix u = high * low + low * high;
    const Eigen::PartialPivLU<Matrix> lu(identity - u);
    const Matrix next_high = lu.solve(high * high);
    const Matrix next_low = lu.solve(low * low);
    const Matrix increment = t * next_low;
    g += increment;
    t = t * next_high;
    high = next_high;
    low = next_low;
    // G is stochastic (every entry <= 1) and the increments shrink quadratically: stop once they
    // no longer change it. Going on would square `low` for nothing, until it overflows.
    if (increment.cwiseAbs().maxCoeff() < 1e-16) break;
  }
  return a0 * inverse(-(a1 + a0 * g));
}

void check_inputs(double arrival_rate, double service_rate, int servers,
                  std::optional<int> capacity, double failure_rate, double repair_rate) {
  for (double rate : {arrival_rate, service_rate, failure_rate, repair_rate}) {
    if (!(rate > 0) || !std::isfinite(rate)) {
      throw std::invalid_argument("mmc_with_breakdowns: rates must be finite and > 0");
    }
  }
  if (servers < 1 || servers > kMaxServers) {
    throw std::invalid_argument("mmc_with_breakdowns: servers must be in [1, 64]");
  }
  if (capacity && *capacity < servers) {
    throw std::invalid_argument("mmc_with_breakdowns: capacity must be >= servers");
  }
  const double phases = static_cast<double>(servers + 1);
  if (static_cast<double>(capacity.value_or(servers)) * phases * phases * phases > kMaxWork) {
    throw std::invalid_argument("mmc_with_breakdowns: state space too large");
  }
}

// With unlimited capacity the levels above c repeat (every up server busy): pi_{n+1} = pi_n R
// there, if the mean drift is down.
Matrix repeating_rate_matrix(const Blocks& blocks) {
  const int c = blocks.c;
  const Vector ones = Vector::Ones(blocks.phases());
  const Matrix a0 = blocks.up(c), a1 = blocks.local(c), a2 = blocks.down(c);
  const RowVector environment = stationary(a0 + a1 + a2);
  if (environment * a0 * ones >= environment * a2 * ones) {
    throw std::domain_error("mmc_with_breakdowns: unstable (mean drift up >= down)");
  }
  return rate_matrix(a0, a1, a2);
}

// Linear level reduction of levels 0..top, top down: pi_{n+1} = pi_n S_n. Above top (unlimited
// capacity) the levels repeat with rate matrix r.
std::vector<Matrix> level_reduction(const Blocks& blocks, int top, const Matrix& r) {
  std::vector<Matrix> s(static_cast<std::size_t>(top));
  Matrix level_top = blocks.capacity
                         ? blocks.local(top)
                         : Matrix(blocks.local(blocks.c) + r * blocks.down(blocks.c + 1));
  s[static_cast<std::size_t>(top - 1)] = blocks.up(top - 1) * inverse(-level_top);
  for (int n = top - 2; n >= 0; --n) {
    const auto k = static_cast<std::size_t>(n);
    s[k] = blocks.up(n) * inverse(-(blocks.local(n + 1) + s[k + 1] * blocks.down(n + 2)));
  }
  return s;
}

// pi_0, from pi_0 (local(0) + S_0 down(1)) = 0 and pi_0 mass_0 = 1, where pi_n mass_n is the
// probability of levels n and above: one balance equation is redundant, the normalization takes
// its place.
RowVector level_zero(const Blocks& blocks, const std::vector<Matrix>& s, const Matrix& r) {
  const Eigen::Index m = blocks.phases();
  const Vector ones = Vector::Ones(m);
  Vector mass = blocks.capacity ? ones : Vector(inverse(Matrix::Identity(m, m) - r) * ones);
  for (auto n = static_cast<int>(s.size()) - 1; n >= 0; --n) {
    mass = ones + s[static_cast<std::size_t>(n)] * mass;
  }
  Matrix system = blocks.local(0) + s[0] * blocks.down(1);
  system.col(0) = mass;
  RowVector rhs = RowVector::Zero(m);
  rhs(0) = 1;
  return system.transpose().fullPivLu().solve(rhs.transpose()).transpose();
}

// The stationary sums the metrics are made of.
struct LevelSums {
  RowVector phase_probability;  // of u servers up
  double population = 0;        // mean requests in the station
  double busy = 0;              // mean busy servers
  double blocking = 0;          // probability that the station is full
};

LevelSums sum_levels(const Blocks& blocks, RowVector pi, const std::vector<Matrix>& s,
                     const Matrix& r) {
  const int c = blocks.c;
  const Eigen::Index m = blocks.phases();
  LevelSums sums;
  sums.phase_probability = RowVector::Zero(m);
  const int last = blocks.capacity ? *blocks.capacity : c - 1;  // levels summed one by one
  for (int n = 0; n <= last; ++n) {
    if (n > 0) pi = pi * s[static_cast<std::size_t>(n - 1)];
    sums.phase_probability += pi;
    sums.population += n * pi.sum();
    for (int u = 0; u <= c; ++u) sums.busy += pi(u) * std::min(n, u);
  }
  if (blocks.capacity) {
    sums.blocking = pi.sum();
    return sums;
  }
  // Levels c, c+1, ...: pi_c R^k. Sum_k R^k = (I - R)^-1 and Sum_k k R^k = R (I - R)^-2.
  const RowVector level_c = c > 0 ? RowVector(pi * s[static_cast<std::size_t>(c - 1)]) : pi;
  const Matrix fundamental = inverse(Matrix::Identity(m, m) - r);
  const RowVector tail = level_c * fundamental;
  sums.phase_probability += tail;
  sums.population += c * tail.sum() + (level_c * r * fundamental * fundamental).sum();
  for (int u = 0; u <= c; ++u) sums.busy += tail(u) * u;
  return sums;
}

}  // namespace

BreakdownMetrics mmc_with_breakdowns(double arrival_rate, double service_rate, int servers,
                                     std::optional<int> capacity, double failure_rate,
                                     double repair_rate, Interrupted interrupted) {
  check_inputs(arrival_rate, service_rate, servers, capacity, failure_rate, repair_rate);
  const Blocks blocks{arrival_rate,
                      service_rate,
                      failure_rate,
                      repair_rate,
                      servers,
                      capacity,
                      interrupted == Interrupted::drop};
  const int c = servers;
  // Levels 0..top are solved one by one; with unlimited capacity the levels above repeat.
  const int top = capacity ? *capacity : c;
  const Matrix r = capacity ? Matrix() : repeating_rate_matrix(blocks);
  const std::vector<Matrix> s = level_reduction(blocks, top, r);
  const LevelSums sums = sum_levels(blocks, level_zero(blocks, s, r), s, r);

  BreakdownMetrics metrics;
  for (int u = 0; u <= c; ++u) metrics.availability += sums.phase_probability(u) * u;
  metrics.availability /= c;
  metrics.throughput = service_rate * sums.busy;
  metrics.utilization = sums.busy / c;
  metrics.blocking = sums.blocking;
  metrics.drop_rate = interrupted == Interrupted::drop ? failure_rate * sums.busy : 0;
  metrics.rejection_ratio = sums.blocking + metrics.drop_rate / arrival_rate;
  metrics.L = sums.population;
  metrics.Lq = sums.population - sums.busy;
  metrics.W = interrupted == Interrupted::requeue ? sums.population / metrics.throughput
                                                  : std::numeric_limits<double>::quiet_NaN();
  return metrics;
}

}  // namespace capsim::analytic
