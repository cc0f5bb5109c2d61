#include "sim/analytic/rate_limit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace capsim::analytic {

namespace {

// Poisson mass further than this from the mode is below 1e-25 (Chernoff: the exponent
// t^2 / (2 (mean + t / 3)) with t = 15 sqrt(mean) + 40 is at least 60 for every mean).
double poisson_half_width(double mean) {
  return 15 * std::sqrt(mean) + 40;
}

constexpr double kMaxPoissonMean = 1e12;
constexpr double kMaxArrivalsPerStep = 200;  // P(N = 0) = e^-200 is still a normal double
constexpr double kMaxChainWork = 1e9;
// The chain's unnormalized probabilities are rescaled when one exceeds this, and entries that
// fall below kNegligible times the largest so far are dropped: with the largest at least 1,
// they are negligible after normalization.
constexpr double kRescaleAbove = 1e100;
constexpr double kNegligible = 1e-290;

std::string num(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", x);
  return buffer;
}

void require_positive(double value, const char* what, const char* function) {
  if (!(value > 0) || !std::isfinite(value)) {
    throw std::invalid_argument(std::string(function) + ": " + what +
                                " must be > 0 and finite, got " + num(value));
  }
}

void require_at_least_one(std::int64_t value, const char* what, const char* function) {
  if (value < 1) {
    throw std::invalid_argument(std::string(function) + ": " + what + " must be >= 1, got " +
                                std::to_string(value));
  }
}

void require_feasible(double arrivals_per_step, std::int64_t states, const char* function) {
  if (!embedded_chain_feasible(arrivals_per_step, states)) {
    throw std::domain_error(std::string(function) + ": chain too large to solve exactly (" +
                            std::to_string(states) + " states, " + num(arrivals_per_step) +
                            " arrivals per step)");
  }
}

// P(A >= k) for k = 0 .. size (the last entry 0), summed from the top so that small tails
// keep their relative precision.
std::vector<double> tails_of(std::span<const double> pmf) {
  std::vector<double> tail(pmf.size() + 1, 0.0);
  for (std::size_t k = pmf.size(); k-- > 0;) tail[k] = tail[k + 1] + pmf[k];
  return tail;
}

// Stationary distribution of a chain on 0 .. states - 1 that moves down by at most one step, by
// arrivals of a batch A (pmf a_k) per step: from i >= 1 it goes to min(i - 1 + A, top) and from
// 0 to min(A - idle_step, top) (clamped at 0): idle_step = 0 for a server that waits for work
// (M/G/1/K), 1 for a clock that ticks anyway (the token bucket's deficit). The cut between j and
// j + 1 is crossed downwards only from j + 1 with A = 0, and upwards from i <= j with
// A >= j + 2 - i (from 0: A >= j + 1 + idle_step); its balance gives pi_{j+1}.
std::vector<double> skip_free_stationary(std::int64_t states, std::span<const double> pmf,
                                         int idle_step) {
  const std::vector<double> tail = tails_of(pmf);
  const auto tail_at = [&](std::int64_t k) {
    return k < static_cast<std::int64_t>(tail.size()) ? tail[static_cast<std::size_t>(k)] : 0.0;
  };
  const auto reach = static_cast<std::int64_t>(pmf.size());  // tails beyond are 0
  const double stay_down = pmf[0];
  std::vector<double> pi(static_cast<std::size_t>(states), 0.0);
  pi[0] = 1;
  std::int64_t first_live = 0;  // entries before it are negligible (0)
  for (std::int64_t j = 0; j + 1 < states; ++j) {
    double up = first_live == 0 ? pi[0] * tail_at(j + 1 + idle_step) : 0.0;
    for (std::int64_t i = std::max<std::int64_t>({1, first_live, j + 2 - reach}); i <= j; ++i) {
      up += pi[static_cast<std::size_t>(i)] * tail[static_cast<std::size_t>(j + 2 - i)];
    }
    double next = up / stay_down;
    if (next < kNegligible) next = 0;  // the largest entry so far is >= 1
    pi[static_cast<std::size_t>(j + 1)] = next;
    if (next > kRescaleAbove) {
      const double scale = 1 / next;
      for (std::int64_t i = first_live; i <= j + 1; ++i) {
        double& p = pi[static_cast<std::size_t>(i)];
        p *= scale;
        if (p < kNegligible) p = 0;
      }
      while (first_live <= j && pi[static_cast<std::size_t>(first_live)] == 0) ++first_live;
    }
  }
  double total = 0;
  for (double p : pi) total += p;
  for (double& p : pi) p /= total;
  return pi;
}

}  // namespace

double poisson_truncated_mean(double mean, std::int64_t cap) {
  if (!(mean >= 0) || mean > kMaxPoissonMean) {
    throw std::invalid_argument("poisson_truncated_mean: mean must be in [0, 1e12], got " +
                                num(mean));
  }
  if (cap <= 0 || mean == 0) return 0;
  // Unnormalized terms t_k with t_mode = 1, walking outwards by t_{k+1} / t_k = mean / (k + 1):
  // every term is in (0, 1], so nothing overflows, and rounding grows only like |k - mode| eps.
  const double mode = std::floor(mean);
  const double half_width = poisson_half_width(mean);
  const double low = std::max(0.0, mode - half_width);
  const double high = mode + half_width;
  const auto n = static_cast<double>(cap);
  double total = 0;
  double at_most_n_minus_2 = 0;  // sum of t_k for k <= n - 2
  double at_least_n = 0;         // sum of t_k for k >= n
  const auto add = [&](double k, double term) {
    total += term;
    if (k <= n - 2) at_most_n_minus_2 += term;
    if (k >= n) at_least_n += term;
  };
  double term = 1;
  for (double k = mode; k <= high; ++k) {
    add(k, term);
    term *= mean / (k + 1);
  }
  term = 1;
  for (double k = mode - 1; k >= low; --k) {
    term *= (k + 1) / mean;
    add(k, term);
  }
  return (mean * at_most_n_minus_2 + n * at_least_n) / total;
}

double fixed_window_admissions(double arrival_rate, double window, std::int64_t limit, double from,
                               double to) {
  require_positive(arrival_rate, "arrival rate", "fixed_window_admissions");
  require_positive(window, "window", "fixed_window_admissions");
  require_at_least_one(limit, "limit", "fixed_window_admissions");
  if (!(from >= 0) || !(to >= from)) {
    throw std::invalid_argument("fixed_window_admissions: need 0 <= from <= to, got from = " +
                                num(from) + ", to = " + num(to));
  }
  const double per_window = poisson_truncated_mean(arrival_rate * window, limit);
  // Expected admissions in [0, x): whole windows, then the part of the window holding x.
  const auto admitted_before = [&](double x) {
    const double whole = std::floor(x / window);
    const double into = std::max(0.0, x - whole * window);
    return whole * per_window + poisson_truncated_mean(arrival_rate * into, limit);
  };
  return admitted_before(to) - admitted_before(from);
}

double fixed_window_admitted_fraction(double arrival_rate, double window, std::int64_t limit) {
  require_positive(arrival_rate, "arrival rate", "fixed_window_admitted_fraction");
  require_positive(window, "window", "fixed_window_admitted_fraction");
  require_at_least_one(limit, "limit", "fixed_window_admitted_fraction");
  const double mean = arrival_rate * window;
  return poisson_truncated_mean(mean, limit) / mean;
}

bool embedded_chain_feasible(double arrivals_per_step, std::int64_t states) {
  if (!(arrivals_per_step > 0) || arrivals_per_step > kMaxArrivalsPerStep || states < 1) {
    return false;
  }
  const double reach = arrivals_per_step + poisson_half_width(arrivals_per_step);
  return static_cast<double>(states) * reach <= kMaxChainWork;
}

std::vector<double> poisson_pmf_table(double mean) {
  require_positive(mean, "mean", "poisson_pmf_table");
  if (mean > kMaxArrivalsPerStep) {
    throw std::domain_error("poisson_pmf_table: mean must be <= 200, got " + num(mean));
  }
  const auto mode = static_cast<std::size_t>(std::floor(mean));
  const auto top = static_cast<std::size_t>(std::ceil(mean + poisson_half_width(mean)));
  std::vector<double> pmf(top + 1, 0.0);
  pmf[mode] = 1;
  for (std::size_t k = mode; k < top; ++k) pmf[k + 1] = pmf[k] * mean / static_cast<double>(k + 1);
  for (std::size_t k = mode; k > 0; --k) pmf[k - 1] = pmf[k] * static_cast<double>(k) / mean;
  double total = 0;
  for (double p : pmf) total += p;
  for (double& p : pmf) p /= total;
  return pmf;
}

std::vector<double> token_bucket_deficit_distribution(double arrival_rate, double token_rate,
                                                      std::int64_t burst) {
  require_positive(arrival_rate, "arrival rate", "token_bucket");
  require_positive(token_rate, "token rate", "token_bucket");
  require_at_least_one(burst, "burst", "token_bucket");
  const double per_token = arrival_rate / token_rate;
  require_feasible(per_token, burst, "token_bucket");
  return skip_free_stationary(burst, poisson_pmf_table(per_token), 1);
}

TokenBucketMetrics token_bucket(double arrival_rate, double token_rate, std::int64_t burst) {
  const std::vector<double> deficit =
      token_bucket_deficit_distribution(arrival_rate, token_rate, burst);
  // A token is lost when it finds the bucket full: the previous token left it full (D = 0) and
  // no request came in between. exp(-x) is P(N = 0) exactly, without the table's truncation.
  const double lost = deficit[0] * std::exp(-arrival_rate / token_rate);
  TokenBucketMetrics m;
  m.arrival_rate = arrival_rate;
  m.admitted_rate = token_rate * (1 - lost);
  m.lost_token_rate = token_rate * lost;
  m.rejection_probability = std::max(0.0, 1 - m.admitted_rate / arrival_rate);
  return m;
}

StationMetrics mg1k_embedded(double arrival_rate, double mean_service,
                             std::span<const double> arrivals_per_service, std::int64_t capacity) {
  require_positive(arrival_rate, "arrival rate", "mg1k_embedded");
  require_positive(mean_service, "mean service", "mg1k_embedded");
  require_at_least_one(capacity, "capacity", "mg1k_embedded");
  if (arrivals_per_service.empty() || !(arrivals_per_service[0] > 0)) {
    throw std::invalid_argument("mg1k_embedded: needs P(no arrival during a service) > 0");
  }
  const double rho = arrival_rate * mean_service;
  const std::vector<double> left_behind = skip_free_stationary(capacity, arrivals_per_service, 0);
  const double scale = left_behind[0] + rho;  // 1 / (1 - p_K)
  StationMetrics m;
  m.arrival_rate = arrival_rate;
  m.blocking = std::max(0.0, 1 - 1 / scale);
  m.throughput = arrival_rate / scale;
  // 1 - p_0 = rho / (pi_0 + rho): flow balance lambda (1 - p_K) E[S] = 1 - p_0, no cancellation.
  m.utilization = std::min(1.0, rho / scale);
  double L = 0;
  for (std::size_t j = 1; j < left_behind.size(); ++j) {
    L += static_cast<double>(j) * left_behind[j] / scale;
  }
  m.L = L + static_cast<double>(capacity) * m.blocking;
  m.Lq = std::max(0.0, m.L - m.utilization);
  m.W = m.L / m.throughput;
  m.Wq = std::max(0.0, m.W - mean_service);
  // Accepted arrivals see what departures leave behind (both count the transitions between n
  // and n + 1): they wait unless they find the server idle.
  m.p_wait = 1 - left_behind[0];
  return m;
}

StationMetrics md1k(double arrival_rate, double service_rate, std::int64_t capacity) {
  require_positive(arrival_rate, "arrival rate", "md1k");
  require_positive(service_rate, "service rate", "md1k");
  require_at_least_one(capacity, "capacity", "md1k");
  const double per_service = arrival_rate / service_rate;
  require_feasible(per_service, capacity, "md1k");
  return mg1k_embedded(arrival_rate, 1 / service_rate, poisson_pmf_table(per_service), capacity);
}

}  // namespace capsim::analytic
