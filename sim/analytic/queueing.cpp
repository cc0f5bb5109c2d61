#include "sim/analytic/queueing.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace capsim::analytic {

namespace {

std::string num(double x) {
  // std::to_string prints fixed 6 decimals, which hides small rates; %g keeps them readable.
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", x);
  return buffer;
}

void require_rate(double rate, const char* what, const char* function) {
  if (!(rate > 0.0) || !std::isfinite(rate)) {  // also rejects NaN
    throw std::invalid_argument(std::string(function) + ": " + what +
                                " must be > 0 and finite, got " + num(rate));
  }
}

void require_servers(int servers, const char* function) {
  if (servers < 1) {
    throw std::invalid_argument(std::string(function) + ": servers must be >= 1, got " +
                                std::to_string(servers));
  }
}

void require_probability(double q, const char* function) {
  if (!(q > 0.0 && q < 1.0)) {
    throw std::invalid_argument(std::string(function) + ": q must be in (0, 1), got " + num(q));
  }
}

// The arguments of a queue of `servers` exponential servers, checked in this order.
void require_queue_arguments(double arrival_rate, double service_rate, int servers,
                             const char* function) {
  require_rate(arrival_rate, "arrival rate", function);
  require_rate(service_rate, "service rate", function);
  require_servers(servers, function);
}

/// Stability check for stations without a capacity limit: lambda < c mu.
void require_stable(double arrival_rate, double service_rate, int servers, const char* function) {
  const double rho = arrival_rate / (servers * service_rate);
  if (!(rho < 1.0)) {
    throw std::domain_error(
        std::string(function) + ": unstable queue, utilization lambda/(c mu) = " + num(rho) +
        " must be < 1 (lambda = " + num(arrival_rate) + ", mu = " + num(service_rate) +
        ", c = " + std::to_string(servers) + ")");
  }
}

/// (1 - e^{-x}) / x, continuous at x = 0 (where it is 1).
double one_minus_exp_over_x(double x) {
  if (std::fabs(x) < 1e-8) return 1.0 - 0.5 * x;  // next term x^2/6 is below 1e-16
  return -std::expm1(-x) / x;
}

/// P(T > t) for the M/M/c sojourn time T = Wq + S, with C the Erlang C probability and
/// gamma = c mu - lambda. From the closed form
///   e^{-mu t} [1 + C mu / (gamma - mu) (1 - e^{-(gamma - mu) t})]   (gamma != mu)
/// (Gross & Harris, Fundamentals of Queueing Theory, M/M/c waiting-time distribution), rewritten
/// as e^{-mu t} + C mu t e^{-min(mu, gamma) t} (1 - e^{-|gamma - mu| t}) / (|gamma - mu| t):
/// this never exponentiates a positive argument, and the last factor is evaluated with expm1 so
/// that gamma -> mu (limit e^{-mu t} (1 + C mu t)) is continuous rather than 0/0.
double mmc_sojourn_tail(double t, double mu, double gamma, double erlang_c_prob) {
  if (std::isinf(t)) return 0.0;  // avoids inf * 0 when the bracket search overflows
  const double slow = std::min(mu, gamma);
  const double gap = std::fabs(gamma - mu);
  return std::exp(-mu * t) +
         erlang_c_prob * mu * t * std::exp(-slow * t) * one_minus_exp_over_x(gap * t);
}

}  // namespace

double erlang_b(int servers, double offered_load) {
  require_servers(servers, "erlang_b");
  if (!(offered_load >= 0.0) || !std::isfinite(offered_load)) {
    throw std::invalid_argument("erlang_b: offered load must be >= 0 and finite, got " +
                                num(offered_load));
  }
  // B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)): every step is a ratio in [0, 1], so there is
  // no overflow and no cancellation for any c (unlike a^c / c! over a partial sum of e^a).
  double b = 1.0;
  for (int k = 1; k <= servers; ++k) b = offered_load * b / (k + offered_load * b);
  return b;
}

double erlang_c(int servers, double offered_load) {
  const double b = erlang_b(servers, offered_load);  // validates the arguments
  if (!(offered_load < servers)) {
    throw std::domain_error("erlang_c: offered load " + num(offered_load) +
                            " erlangs must be below the number of servers " +
                            std::to_string(servers) + " for a stable queue");
  }
  // C = c B / (c - a (1 - B)); the denominator is >= c - a > 0.
  return servers * b / (servers - offered_load * (1.0 - b));
}

StationMetrics mm1(double arrival_rate, double service_rate) {
  require_queue_arguments(arrival_rate, service_rate, 1, "mm1");
  require_stable(arrival_rate, service_rate, 1, "mm1");
  const double rho = arrival_rate / service_rate;
  return exponential_server(arrival_rate, rho, rho, 1.0 / (service_rate - arrival_rate));
}

StationMetrics exponential_server(double arrival_rate, double utilization, double p_wait,
                                  double sojourn) {
  StationMetrics m;
  m.arrival_rate = arrival_rate;
  m.throughput = arrival_rate;
  m.utilization = utilization;
  m.W = sojourn;
  m.Wq = p_wait * m.W;
  m.L = arrival_rate * m.W;
  m.Lq = arrival_rate * m.Wq;
  m.p_wait = p_wait;
  return m;
}

StationMetrics mmc(double arrival_rate, double service_rate, int servers) {
  require_queue_arguments(arrival_rate, service_rate, servers, "mmc");
  require_stable(arrival_rate, service_rate, servers, "mmc");
  const double a = arrival_rate / service_rate;
  const double c_prob = erlang_c(servers, a);
  StationMetrics m;
  m.arrival_rate = arrival_rate;
  m.throughput = arrival_rate;
  m.utilization = a / servers;
  m.p_wait = c_prob;
  m.Wq = c_prob / (servers * service_rate - arrival_rate);
  m.W = m.Wq + 1.0 / service_rate;
  m.Lq = arrival_rate * m.Wq;
  m.L = arrival_rate * m.W;
  return m;
}

StationMetrics mmck(double arrival_rate, double service_rate, int servers, int capacity) {
  require_queue_arguments(arrival_rate, service_rate, servers, "mmck");
  if (capacity < servers) {
    throw std::invalid_argument("mmck: capacity K = " + std::to_string(capacity) +
                                " must be >= servers c = " + std::to_string(servers));
  }
  // Birth-death chain: p_n / p_{n-1} = a / min(n, c). These ratios never increase with n, so
  // the unnormalized terms are unimodal, with mode m = floor(a) if a < c and m = K otherwise.
  // Setting the mode term to 1 and walking outwards by the ratios keeps every term in (0, 1]
  // and the sum in [1, K+1]: no overflow for any c, K or load, and terms that underflow are
  // negligible next to the mode. Relative rounding grows only like |n - m| * eps.
  const double a = arrival_rate / service_rate;
  const int mode = a >= servers ? capacity : static_cast<int>(std::floor(a));
  // The accepted mass (n < K) is accumulated in its own two parts rather than formed as
  // sum - p_K, which would cancel under heavy overload where p_K -> 1.
  double sum = 0.0;            // all terms
  double sum_n = 0.0;          // n * term
  double sum_queue = 0.0;      // (n - c)^+ * term
  double sum_idle_open = 0.0;  // n < c: a server is free
  double sum_busy_open = 0.0;  // c <= n < K: all servers busy, room left
  double term_k = 0.0;         // n = K: arrivals are blocked
  auto add = [&](int n, double term) {
    sum += term;
    sum_n += n * term;
    if (n > servers) sum_queue += (n - servers) * term;
    if (n == capacity) {
      term_k = term;
    } else if (n >= servers) {
      sum_busy_open += term;
    } else {
      sum_idle_open += term;
    }
  };
  double term = 1.0;
  add(mode, term);
  for (int n = mode; n < capacity;) {  // written so that capacity = INT_MAX cannot overflow n
    ++n;
    term *= a / std::min(n, servers);
    add(n, term);
  }
  term = 1.0;
  for (int n = mode; n >= 1; --n) {
    term *= std::min(n, servers) / a;  // p_{n-1} / p_n
    add(n - 1, term);
  }
  const double blocking = term_k / sum;
  const double accepted_mass = sum_idle_open + sum_busy_open;
  const double accepted = accepted_mass / sum;  // 1 - p_K
  StationMetrics m;
  m.arrival_rate = arrival_rate;
  m.blocking = blocking;
  m.throughput = arrival_rate * accepted;
  // Exactly lambda (1 - p_K) <= c mu by flow balance; clamp the last-ulp rounding excess.
  m.utilization = std::min(1.0, m.throughput / (servers * service_rate));
  m.L = sum_n / sum;
  m.Lq = sum_queue / sum;
  m.W = m.L / m.throughput;  // Little's law over accepted requests
  m.Wq = m.Lq / m.throughput;
  // PASTA: an arrival sees the stationary distribution; condition on being accepted (n < K).
  m.p_wait = sum_busy_open / accepted_mass;
  return m;
}

StationMetrics mmcc(double arrival_rate, double service_rate, int servers) {
  return mmck(arrival_rate, service_rate, servers, servers);
}

StationMetrics mminf(double arrival_rate, double service_rate) {
  require_rate(arrival_rate, "arrival rate", "mminf");
  require_rate(service_rate, "service rate", "mminf");
  StationMetrics m;
  m.arrival_rate = arrival_rate;
  m.throughput = arrival_rate;
  m.utilization = 0.0;  // no finite server count to share the load over; see the header
  m.L = arrival_rate / service_rate;
  m.W = 1.0 / service_rate;
  return m;
}

StationMetrics mg1(double arrival_rate, double mean_service, double service_scv) {
  require_rate(arrival_rate, "arrival rate", "mg1");
  require_rate(mean_service, "mean service time", "mg1");
  // An infinite scv (e.g. Pareto with shape <= 2) is allowed: the mean wait is then infinite.
  if (!(service_scv >= 0.0)) {
    throw std::invalid_argument("mg1: service scv must be >= 0, got " + num(service_scv));
  }
  const double rho = arrival_rate * mean_service;
  if (!(rho < 1.0)) {
    throw std::domain_error("mg1: unstable queue, utilization lambda E[S] = " + num(rho) +
                            " must be < 1");
  }
  StationMetrics m;
  m.arrival_rate = arrival_rate;
  m.throughput = arrival_rate;
  m.utilization = rho;
  m.p_wait = rho;
  m.Wq = rho * mean_service * (1.0 + service_scv) / (2.0 * (1.0 - rho));
  m.W = m.Wq + mean_service;
  m.Lq = arrival_rate * m.Wq;
  m.L = arrival_rate * m.W;
  return m;
}

double mm1_sojourn_quantile(double arrival_rate, double service_rate, double q) {
  require_queue_arguments(arrival_rate, service_rate, 1, "mm1_sojourn_quantile");
  require_probability(q, "mm1_sojourn_quantile");
  require_stable(arrival_rate, service_rate, 1, "mm1_sojourn_quantile");
  return -std::log1p(-q) / (service_rate - arrival_rate);
}

double mmc_wait_quantile(double arrival_rate, double service_rate, int servers, double q) {
  require_queue_arguments(arrival_rate, service_rate, servers, "mmc_wait_quantile");
  require_probability(q, "mmc_wait_quantile");
  require_stable(arrival_rate, service_rate, servers, "mmc_wait_quantile");
  const double c_prob = erlang_c(servers, arrival_rate / service_rate);
  // P(Wq > t) = C e^{-(c mu - lambda) t}: the atom at 0 has mass 1 - C.
  if (q <= 1.0 - c_prob) return 0.0;
  return (std::log(c_prob) - std::log1p(-q)) / (servers * service_rate - arrival_rate);
}

double mmc_sojourn_quantile(double arrival_rate, double service_rate, int servers, double q) {
  require_queue_arguments(arrival_rate, service_rate, servers, "mmc_sojourn_quantile");
  require_probability(q, "mmc_sojourn_quantile");
  require_stable(arrival_rate, service_rate, servers, "mmc_sojourn_quantile");
  const double c_prob = erlang_c(servers, arrival_rate / service_rate);
  const double gamma = servers * service_rate - arrival_rate;
  const double target = 1.0 - q;
  auto tail = [&](double t) { return mmc_sojourn_tail(t, service_rate, gamma, c_prob); };
  // The tail is continuous and strictly decreasing from 1 at t = 0, so bracket the root by
  // doubling, then bisect. Start from the quantile of the slower of the two exponential rates.
  double lo = 0.0;
  double hi = -std::log(target) / std::min(service_rate, gamma);
  while (tail(hi) > target) {
    lo = hi;
    hi *= 2.0;
  }
  for (int i = 0; i < 200 && hi - lo > 1e-14 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    (tail(mid) > target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace capsim::analytic
