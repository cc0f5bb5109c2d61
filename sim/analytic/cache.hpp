#pragma once
// Hit ratios of caches under the independent reference model (IRM: every request's key is drawn
// independently from a fixed popularity), for Zipf popularity over N keys. Exact results where
// they exist (static top-C / perfect LFU, FIFO and random replacement by the product form, TTL
// caches with Poisson requests), and the standard approximations where they do not (Che for
// LRU, the characteristic-time approximation for FIFO and random). Invalid arguments throw
// std::invalid_argument.

#include <cstdint>
#include <functional>
#include <vector>

namespace capsim::analytic {

/// Zipf popularity over N keys: key k (0-based) is requested with probability
/// p_k = (k+1)^-alpha / H(N, alpha), H(N, alpha) = sum_{r=1}^{N} r^-alpha; key 0 is the most
/// popular and alpha = 0 is uniform.
///
/// Sums over keys are exact, term by term, over the first kExactKeys keys (their probabilities
/// are kept: 8 MiB at most). Beyond, the terms vary so slowly with the key that the sum is
/// replaced by the integral over [k - 1/2, k + 1/2] around each key (the midpoint rule), computed
/// by Gauss-Legendre quadrature in log(rank); its relative error is of order 1/kExactKeys^2,
/// below 1e-12. So N up to 10^15 costs at most kExactKeys terms plus about a thousand.
class ZipfPopularity final {
 public:
  /// Keys kept and summed term by term: 2^20.
  static constexpr std::uint64_t kExactKeys = std::uint64_t{1} << 20;

  /// keys >= 1, alpha >= 0.
  ZipfPopularity(std::uint64_t keys, double alpha);

  std::uint64_t keys() const { return keys_; }
  double alpha() const { return alpha_; }
  /// p_key, for key < keys().
  double probability(std::uint64_t key) const;

  /// sum over keys first <= k < last of g(p_k) (first <= last <= keys()).
  double sum(const std::function<double(double)>& g, std::uint64_t first, std::uint64_t last) const;
  /// Over every key.
  double sum(const std::function<double(double)>& g) const { return sum(g, 0, keys_); }
  /// The probabilities of every key, when keys() <= kExactKeys (exact algorithms).
  const std::vector<double>& probabilities() const;

 private:
  double weight_integral(const std::function<double(double)>& g, double low_rank,
                         double high_rank) const;

  std::uint64_t keys_;
  double alpha_;
  double normalizer_ = 1;     // H(N, alpha)
  std::vector<double> head_;  // p_k for k < min(N, kExactKeys)
};

/// A key's hit probability as a function of its request probability p under one model.
using KeyHitProbability = std::function<double(double p)>;

/// Hit ratio of the requests for keys first <= k < last:
/// sum p_k h(p_k) / sum p_k over those keys.
double hit_ratio(const ZipfPopularity& popularity, const KeyHitProbability& hit_probability,
                 std::uint64_t first, std::uint64_t last);
/// Expected number of cached keys, sum_k occupancy(p_k).
double expected_entries(const ZipfPopularity& popularity, const KeyHitProbability& occupancy);

/// Static top-C cache, the limit of perfect LFU (counts kept for every key ever requested)
/// under IRM, and the best any cache can do without knowing the future (policy A0: Aho, Denning
/// & Ullman 1971, "Principles of optimal page replacement", JACM 18(1)). Hit ratio of the
/// requests for keys first <= k < last when keys 0 .. C-1 are cached:
/// sum_{k < C} p_k / sum p_k over the band. Exact.
double top_keys_hit_ratio(const ZipfPopularity& popularity, std::uint64_t capacity,
                          std::uint64_t first, std::uint64_t last);

/// Che's approximation for LRU (Che, Tung & Wang 2002, IEEE JSAC 20(7); Fricker, Robert &
/// Roberts 2012, ITC 24): the characteristic time t_C, in requests, solves
/// sum_k (1 - exp(-p_k t_C)) = C, and key k hits with probability 1 - exp(-p_k t_C).
/// Asymptotically exact as C grows with N/C fixed; for finite sizes see kCheRelativeError.
/// Requires 1 <= C < N.
double lru_characteristic_time(const ZipfPopularity& popularity, double capacity);
/// 1 - exp(-p t_C).
KeyHitProbability lru_che(double characteristic_time);

/// The error bound capsim states for Che's approximation of an LRU cache's overall hit ratio,
/// relative, for caches of at least kCheMinCapacity keys and Zipf exponents up to kCheMaxAlpha.
/// Measured against the exact LRU hit ratio (computed in tests/sim/test_cache_theory.cpp) for
/// Zipf alpha in {0, 0.3, 0.5, 0.8, 1, 1.2, 1.5, 2} over N = 200 keys, the largest
/// |Che - exact| / exact is 4.0% at C = 2, 1.4% at C = 5, 0.53% at C = 10 and 0.07% at C = 20:
/// Che underestimates tiny caches, and its error shrinks as C grows (it is exact in the limit:
/// Fricker, Robert & Roberts 2012), so 1% from C = 10 on.
inline constexpr double kCheRelativeError = 0.01;
inline constexpr std::uint64_t kCheMinCapacity = 10;
inline constexpr double kCheMaxAlpha = 2;

/// The characteristic-time approximation for FIFO and random replacement, which have the same
/// hit ratio under IRM (Gelenbe 1973, "A unified approach to the evaluation of a class of
/// replacement algorithms", IEEE Trans. Computers 22(6)): T, in requests, solves
/// sum_k p_k T / (1 + p_k T) = C, and key k hits with probability p_k T / (1 + p_k T)
/// (Dan & Towsley 1990; Martina, Garetto & Leonardi 2014). Requires 1 <= C < N.
double fifo_characteristic_time(const ZipfPopularity& popularity, double capacity);
/// p T / (1 + p T).
KeyHitProbability fifo_approximation(double characteristic_time);

/// Exact FIFO / random-replacement hit ratio under IRM: the cached set S has the stationary
/// distribution pi(S) ~ prod_{k in S} p_k (Gelenbe 1973; King 1971), whence
/// h = 1 - (C + 1) e_{C+1}(p) / e_C(p), e_j the elementary symmetric polynomials of the p_k.
/// Computed as a Poisson-binomial distribution (numerically stable), O(N C) time, O(C) memory.
/// Requires 1 <= C < N <= ZipfPopularity::kExactKeys.
double fifo_random_hit_ratio(const ZipfPopularity& popularity, std::uint64_t capacity);

/// When a TTL cache restarts an entry's timer.
enum class TtlReset {
  on_miss,  ///< an entry expires T after it was inserted (on a miss); hits leave the timer
  on_hit,   ///< every hit restarts the timer: the entry expires T after its last request
};

/// Hit probability of one key in a TTL cache with unlimited capacity, the key being requested
/// as a Poisson process at `rate` (/s) and written (invalidated) as an independent Poisson
/// process at `write_rate` (/s, may be 0); T = `ttl` s. Exact (renewal arguments; Fofack, Nain,
/// Neglia & Towsley 2014, "Performance evaluation of hierarchical TTL-based cache networks",
/// Computer Networks 65, for write_rate = 0):
///  - on_miss: a miss starts a cycle in which the entry lives m = E[min(T, write)] =
///    (1 - exp(-w T)) / w (T when w = 0) and collects rate * m hits on average:
///    h = rate m / (1 + rate m); with w = 0, rate T / (1 + rate T);
///  - on_hit: a request hits when the previous one came less than T earlier with no write in
///    between: h = rate / (rate + w) (1 - exp(-(rate + w) T)); with w = 0, 1 - exp(-rate T).
/// By PASTA it is also the fraction of time the key is cached.
double ttl_hit_probability(TtlReset reset, double rate, double write_rate, double ttl);
/// The per-key function for a stream of `request_rate` requests/s and `write_rate` writes/s in
/// total, each key taking its popularity's share of both.
KeyHitProbability ttl_model(TtlReset reset, double request_rate, double write_rate, double ttl);

}  // namespace capsim::analytic
