#include "sim/analytic/cache.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace capsim::analytic {

namespace {

// 8-point Gauss-Legendre on [-1, 1]: exact for polynomials of degree 15, so panels 0.05 wide in
// log(rank) integrate the smooth tail terms to rounding error.
constexpr double kNodes[4] = {0.1834346424956498, 0.5255324099163290, 0.7966664774136267,
                              0.9602898564975363};
constexpr double kWeights[4] = {0.3626837833783620, 0.3137066458778873, 0.2223810344533745,
                                0.1012285362903763};
constexpr double kPanelWidth = 0.05;

constexpr int kMaxIterations = 300;
constexpr double kRelativeTolerance = 1e-13;

void require(bool condition, const std::string& what) {
  if (!condition) throw std::invalid_argument(what);
}

// Solves sum_k occupancy(p_k, t) = C for t >= C, where occupancy increases in t from 0 to 1 and
// is at most p t (so t = C is below the root): bracketing, then Newton steps with bisection
// whenever a step would leave the bracket.
double solve_characteristic_time(const ZipfPopularity& popularity, double capacity,
                                 const std::function<double(double, double)>& occupancy,
                                 const std::function<double(double, double)>& slope) {
  require(capacity >= 1, "capacity must be >= 1");
  require(capacity < static_cast<double>(popularity.keys()),
          "capacity must be below the number of keys (otherwise every key fits)");
  auto excess = [&](double t) {
    return popularity.sum([&](double p) { return occupancy(p, t); }) - capacity;
  };
  double low = capacity;
  double high = 2 * capacity;
  while (excess(high) < 0) {
    low = high;
    high *= 2;
  }
  double t = high;
  for (int i = 0; i < kMaxIterations && (high - low) > kRelativeTolerance * high; ++i) {
    const double value = excess(t);
    if (value == 0) return t;
    (value < 0 ? low : high) = t;
    const double derivative = popularity.sum([&](double p) { return slope(p, t); });
    double next = t - value / derivative;
    if (!(next > low && next < high)) next = 0.5 * (low + high);
    // Newton's step can stall at the bracket's end it started from; halving guarantees progress.
    if (std::fabs(next - t) < 0.25 * kRelativeTolerance * t) break;
    t = next;
  }
  return t;
}

}  // namespace

ZipfPopularity::ZipfPopularity(std::uint64_t keys, double alpha) : keys_(keys), alpha_(alpha) {
  require(keys >= 1, "the number of keys must be >= 1");
  require(alpha >= 0 && std::isfinite(alpha), "the Zipf exponent must be >= 0");
  const std::uint64_t exact = std::min(keys, kExactKeys);
  head_.resize(exact);
  // Weights first (normalizer 1), then divided by their total.
  for (std::uint64_t k = 0; k < exact; ++k) {
    head_[k] = std::pow(static_cast<double>(k + 1), -alpha);
  }
  double total = 0;
  // Smallest terms first: fewer rounding errors.
  for (std::uint64_t k = exact; k-- > 0;) total += head_[k];
  if (keys > exact) {
    total += weight_integral([](double w) { return w; }, static_cast<double>(exact) + 0.5,
                             static_cast<double>(keys) + 0.5);
  }
  normalizer_ = total;
  for (double& p : head_) p /= total;
}

double ZipfPopularity::probability(std::uint64_t key) const {
  if (key < head_.size()) return head_[key];
  return std::pow(static_cast<double>(key + 1), -alpha_) / normalizer_;
}

const std::vector<double>& ZipfPopularity::probabilities() const {
  require(keys_ <= kExactKeys, "exact algorithms need at most 2^20 keys");
  return head_;
}

// Integral of g(y^-alpha / H) over ranks y in [low_rank, high_rank], with y = e^u.
double ZipfPopularity::weight_integral(const std::function<double(double)>& g, double low_rank,
                                       double high_rank) const {
  const double u0 = std::log(low_rank);
  const double u1 = std::log(high_rank);
  const int panels = std::max(1, static_cast<int>(std::ceil((u1 - u0) / kPanelWidth)));
  const double width = (u1 - u0) / panels;
  double total = 0;
  for (int i = 0; i < panels; ++i) {
    const double middle = u0 + (i + 0.5) * width;
    for (int j = 0; j < 4; ++j) {
      for (double sign : {-1.0, 1.0}) {
        const double u = middle + sign * kNodes[j] * width / 2;
        const double rank = std::exp(u);
        total += kWeights[j] * width / 2 * g(std::exp(-alpha_ * u) / normalizer_) * rank;
      }
    }
  }
  return total;
}

double ZipfPopularity::sum(const std::function<double(double)>& g, std::uint64_t first,
                           std::uint64_t last) const {
  require(first <= last && last <= keys_, "key range outside the key space");
  double total = 0;
  const std::uint64_t exact_end = std::min<std::uint64_t>(last, head_.size());
  for (std::uint64_t k = first; k < exact_end; ++k) total += g(head_[k]);
  const std::uint64_t tail_start = std::max<std::uint64_t>(first, head_.size());
  if (tail_start < last) {
    // Keys a .. b-1 have ranks a+1 .. b; each key's term becomes the integral over its rank
    // +- 1/2.
    total +=
        weight_integral(g, static_cast<double>(tail_start) + 0.5, static_cast<double>(last) + 0.5);
  }
  return total;
}

double hit_ratio(const ZipfPopularity& popularity, const KeyHitProbability& hit_probability,
                 std::uint64_t first, std::uint64_t last) {
  require(first < last, "an empty key range has no hit ratio");
  const double hits = popularity.sum([&](double p) { return p * hit_probability(p); }, first, last);
  const double requests = popularity.sum([](double p) { return p; }, first, last);
  return hits / requests;
}

double expected_entries(const ZipfPopularity& popularity, const KeyHitProbability& occupancy) {
  return popularity.sum(occupancy);
}

double top_keys_hit_ratio(const ZipfPopularity& popularity, std::uint64_t capacity,
                          std::uint64_t first, std::uint64_t last) {
  require(first < last, "an empty key range has no hit ratio");
  auto probability = [](double p) { return p; };
  const std::uint64_t cached_end = std::min(last, std::max(first, capacity));
  return popularity.sum(probability, first, cached_end) / popularity.sum(probability, first, last);
}

double lru_characteristic_time(const ZipfPopularity& popularity, double capacity) {
  return solve_characteristic_time(
      popularity, capacity, [](double p, double t) { return -std::expm1(-p * t); },
      [](double p, double t) { return p * std::exp(-p * t); });
}

KeyHitProbability lru_che(double characteristic_time) {
  return [characteristic_time](double p) { return -std::expm1(-p * characteristic_time); };
}

double fifo_characteristic_time(const ZipfPopularity& popularity, double capacity) {
  return solve_characteristic_time(
      popularity, capacity, [](double p, double t) { return p * t / (1 + p * t); },
      [](double p, double t) { return p / ((1 + p * t) * (1 + p * t)); });
}

KeyHitProbability fifo_approximation(double characteristic_time) {
  return [characteristic_time](double p) {
    return p * characteristic_time / (1 + p * characteristic_time);
  };
}

double fifo_random_hit_ratio(const ZipfPopularity& popularity, std::uint64_t capacity) {
  const std::vector<double>& p = popularity.probabilities();
  require(capacity >= 1 && capacity < p.size(), "capacity must be in [1, number of keys)");
  // e_j(p) = e_j(q) / T^j with q = T p, and e_j(q) / prod(1 + q_k) is P(X = j) for X a sum of
  // independent Bernoulli(q_k / (1 + q_k)): a distribution, built by convex combinations that
  // neither overflow nor cancel. With T the characteristic time, X has mean C, so P(X = C) and
  // P(X = C + 1) are far from underflow.
  const double t = fifo_characteristic_time(popularity, static_cast<double>(capacity));
  const std::size_t top = capacity + 1;
  std::vector<double> distribution(top + 1, 0.0);
  distribution[0] = 1;
  std::size_t reached = 0;  // P(X = j) is 0 for j > keys processed
  for (double pk : p) {
    const double q = pk * t;
    const double bernoulli = q / (1 + q);
    reached = std::min(top, reached + 1);
    for (std::size_t j = reached; j >= 1; --j) {
      distribution[j] = distribution[j] * (1 - bernoulli) + distribution[j - 1] * bernoulli;
    }
    distribution[0] *= 1 - bernoulli;
  }
  const auto c = static_cast<double>(capacity);
  return 1 - (c + 1) * distribution[top] / (t * distribution[capacity]);
}

double ttl_hit_probability(TtlReset reset, double rate, double write_rate, double ttl) {
  require(rate >= 0 && write_rate >= 0 && ttl > 0, "rates must be >= 0 and the TTL > 0");
  if (reset == TtlReset::on_miss) {
    const double lifetime = write_rate > 0 ? -std::expm1(-write_rate * ttl) / write_rate : ttl;
    return rate * lifetime / (1 + rate * lifetime);
  }
  const double total = rate + write_rate;
  if (total == 0) return 0;
  return rate / total * -std::expm1(-total * ttl);
}

KeyHitProbability ttl_model(TtlReset reset, double request_rate, double write_rate, double ttl) {
  return
      [=](double p) { return ttl_hit_probability(reset, request_rate * p, write_rate * p, ttl); };
}

}  // namespace capsim::analytic
