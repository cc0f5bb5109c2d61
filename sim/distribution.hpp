#pragma once
// Probability distributions as value types with their own samplers (std::*_distribution
// differ between standard libraries, and capsim results must not).

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "sim/rng.hpp"
#include "sim/ziggurat.hpp"

namespace capsim::sim {

/// A non-negative random variable (times in seconds, or counts) that knows its moments.
/// Cheap to copy; sample() never allocates.
class Distribution final {
 public:
  enum class Kind : std::uint8_t {
    exponential,
    deterministic,
    uniform,
    gamma,  // Erlang-k is gamma with integer shape k
    lognormal,
    hyperexponential,
    pareto,
    empirical,
  };

  /// Exponential with the given mean (> 0).
  static Distribution exponential(double mean);
  /// Always `value` (>= 0).
  static Distribution deterministic(double value);
  /// Uniform on [low, high], 0 <= low <= high.
  static Distribution uniform(double low, double high);
  /// Erlang-k: sum of k exponentials, total mean `mean`; scv = 1/k.
  static Distribution erlang(int k, double mean);
  /// Gamma with shape > 0 and the given mean; scv = 1/shape.
  static Distribution gamma(double shape, double mean);
  /// Lognormal by its mean and coefficient of variation (cv > 0); scv = cv^2.
  static Distribution lognormal(double mean, double cv);
  /// Two-phase hyperexponential with balanced means, by mean and cv > 1; scv = cv^2.
  static Distribution hyperexponential(double mean, double cv);
  /// Pareto (type I) with shape alpha > 1 and the given mean; scale = mean (alpha - 1) / alpha.
  /// scv = 1 / (alpha (alpha - 2)) for alpha > 2, infinite otherwise.
  static Distribution pareto(double alpha, double mean);
  /// Resamples uniformly from the given non-negative values (non-empty).
  static Distribution empirical(std::vector<double> values);

  /// One draw. Deterministic given the stream state and bit-identical across platforms
  /// (own samplers, only IEEE arithmetic and log/exp/sqrt/pow). Never allocates.
  /// The exponential case is inline: it is most of the draws on the event path.
  double sample(Rng& rng) const {
    return kind_ == Kind::exponential ? a_ * standard_exponential(rng) : sample_other(rng);
  }
  /// Exact mean.
  double mean() const;
  /// Squared coefficient of variation Var/mean^2 (infinity when the variance is infinite).
  double scv() const;
  /// The family (Erlang reports Kind::gamma; see name()).
  Kind kind() const { return kind_; }
  /// Lower-case name as used in scenario files ("exponential", "erlang", ...).
  std::string_view name() const;

 private:
  Distribution() = default;
  double sample_other(Rng& rng) const;
  Kind kind_ = Kind::deterministic;
  bool is_erlang_ = false;
  std::uint32_t product_terms_ = 0;       // Erlang-k with small k: -log of a product of k uniforms
  double mean_ = 0, scv_ = 0;             // exact moments, fixed at construction
  double a_ = 0, b_ = 0, c_ = 0, d_ = 0;  // sampler parameters, meaning depends on kind_
  // Empirical only. data_ caches values_->data() (stable: copies share the vector).
  const double* data_ = nullptr;
  std::uint64_t size_ = 0;
  std::shared_ptr<const std::vector<double>> values_;
};

}  // namespace capsim::sim
