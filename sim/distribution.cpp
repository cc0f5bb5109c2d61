#include "sim/distribution.hpp"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>


// Samplers use only IEEE arithmetic and log/exp/sqrt/pow so that a (seed, scenario) pair gives
// the same numbers everywhere; std::*_distribution would not.

namespace capsim::sim {
namespace {

// Erlang-k with k up to this many phases uses -log(U1 ... Uk): k uniforms and one log, cheaper
// than Marsaglia-Tsang for small k. Each U >= 2^-53, so the product is >= 2^-424 and cannot
// underflow; larger k goes through the gamma sampler.
constexpr int kMaxProductTerms = 8;

// Shortest round-trip text of x ("-1", "0.1", "inf", "nan") for error messages.
std::string to_text(double x) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return ec == std::errc{} ? std::string(buf, end) : std::string("?");
}

[[noreturn]] void fail(std::string_view what, std::string_view requirement, double got) {
  throw std::invalid_argument(std::string(what) + " must be " + std::string(requirement) +
                              ", got " + to_text(got));
}

void require_finite(std::string_view what, double x) {
  if (!std::isfinite(x)) fail(what, "finite", x);
}

void require_positive(std::string_view what, double x) {
  require_finite(what, x);
  if (!(x > 0)) fail(what, "> 0", x);
}

void require_non_negative(std::string_view what, double x) {
  require_finite(what, x);
  if (!(x >= 0)) fail(what, ">= 0", x);
}

// cv enters squared; reject values whose square overflows so the derived parameters stay finite.
void require_cv_above(std::string_view what, double cv, double bound) {
  require_finite(what, cv);
  if (!(cv > bound)) fail(what, "> " + to_text(bound), cv);
  if (!std::isfinite(cv * cv)) fail(what, "<= 1e150", cv);
}

// Standard normal by Marsaglia's polar method: no trigonometric functions, whose results vary
// between libms more than log/sqrt do. The second variate of the pair is dropped because
// sample() is const and the stream is the only state.
double standard_normal(Rng& rng) {
  for (;;) {
    const double u = 2.0 * rng.uniform_open() - 1.0;
    const double v = 2.0 * rng.uniform_open() - 1.0;
    const double s = u * u + v * v;
    if (s < 1.0 && s > 0.0) return u * std::sqrt(-2.0 * std::log(s) / s);
  }
}

// Marsaglia & Tsang (2000), shape >= 1 with d = shape - 1/3, c = 1/sqrt(9d); unit scale.
double marsaglia_tsang(Rng& rng, double d, double c) {
  for (;;) {
    double x = 0.0;
    double v = 0.0;
    do {
      x = standard_normal(rng);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.uniform_open();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v;  // squeeze: accepts ~98% without a log
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
  }
}

}  // namespace

Distribution Distribution::exponential(double mean) {
  require_positive("exponential mean", mean);
  Distribution d;
  d.kind_ = Kind::exponential;
  d.mean_ = mean;
  d.scv_ = 1.0;
  d.a_ = mean;
  return d;
}

Distribution Distribution::deterministic(double value) {
  require_non_negative("deterministic value", value);
  Distribution d;
  d.kind_ = Kind::deterministic;
  d.mean_ = value;
  d.scv_ = 0.0;  // no variability, also for value 0 where Var/mean^2 is 0/0
  d.a_ = value;
  return d;
}

Distribution Distribution::uniform(double low, double high) {
  require_non_negative("uniform low", low);
  require_finite("uniform high", high);
  if (!(high >= low)) fail("uniform high", ">= low (" + to_text(low) + ")", high);
  Distribution d;
  d.kind_ = Kind::uniform;
  d.mean_ = 0.5 * low + 0.5 * high;  // no overflow near DBL_MAX
  const double width = high - low;
  d.scv_ = d.mean_ > 0 ? (width * width / 12.0) / (d.mean_ * d.mean_) : 0.0;
  d.a_ = low;
  d.b_ = width;
  return d;
}

Distribution Distribution::erlang(int k, double mean) {
  if (k < 1) {
    throw std::invalid_argument("erlang k must be >= 1, got " + std::to_string(k));
  }
  require_positive("erlang mean", mean);
  Distribution d = gamma(static_cast<double>(k), mean);
  d.is_erlang_ = true;
  if (k <= kMaxProductTerms) d.product_terms_ = static_cast<std::uint32_t>(k);
  return d;
}

Distribution Distribution::gamma(double shape, double mean) {
  require_positive("gamma shape", shape);
  require_positive("gamma mean", mean);
  const double scale = mean / shape;
  if (!std::isfinite(scale) || !std::isfinite(1.0 / shape)) {
    fail("gamma shape", "larger for mean " + to_text(mean), shape);
  }
  Distribution d;
  d.kind_ = Kind::gamma;
  d.mean_ = mean;
  d.scv_ = 1.0 / shape;
  d.a_ = scale;
  // shape < 1: Gamma(shape) = Gamma(shape + 1) * U^(1/shape) (Marsaglia-Tsang's boost), because
  // the squeeze needs shape >= 1.
  const double core_shape = shape < 1.0 ? shape + 1.0 : shape;
  d.b_ = core_shape - 1.0 / 3.0;
  d.c_ = 1.0 / std::sqrt(9.0 * d.b_);
  d.d_ = shape < 1.0 ? 1.0 / shape : 0.0;
  return d;
}

Distribution Distribution::lognormal(double mean, double cv) {
  require_positive("lognormal mean", mean);
  require_cv_above("lognormal cv", cv, 0.0);
  const double sigma2 = std::log(1.0 + cv * cv);
  Distribution d;
  d.kind_ = Kind::lognormal;
  d.mean_ = mean;
  d.scv_ = cv * cv;
  d.a_ = std::log(mean) - 0.5 * sigma2;  // mu
  d.b_ = std::sqrt(sigma2);              // sigma
  return d;
}

Distribution Distribution::hyperexponential(double mean, double cv) {
  require_positive("hyperexponential mean", mean);
  require_cv_above("hyperexponential cv", cv, 1.0);
  const double scv = cv * cv;
  const double r = std::sqrt((scv - 1.0) / (scv + 1.0));
  // p2 = (1 - r)/2 written as (1 - r^2) / (2 (1 + r)) = 1 / ((scv + 1)(1 + r)): no cancellation
  // when cv is large and p2 small.
  const double p2 = 1.0 / ((scv + 1.0) * (1.0 + r));
  const double p1 = 0.5 * (1.0 + r);
  Distribution d;
  d.kind_ = Kind::hyperexponential;
  d.mean_ = mean;
  d.scv_ = scv;
  d.a_ = p2;                 // probability of the rare, long phase
  d.b_ = mean / (2.0 * p1);  // mean of phase 1 (1 / rate1), p1 * b_ = mean / 2
  d.c_ = mean / (2.0 * p2);  // mean of phase 2 (1 / rate2), p2 * c_ = mean / 2
  return d;
}

Distribution Distribution::pareto(double alpha, double mean) {
  require_finite("pareto alpha", alpha);
  if (!(alpha > 1.0)) fail("pareto alpha", "> 1", alpha);
  require_positive("pareto mean", mean);
  Distribution d;
  d.kind_ = Kind::pareto;
  d.mean_ = mean;
  d.scv_ = alpha > 2.0 ? 1.0 / (alpha * (alpha - 2.0)) : std::numeric_limits<double>::infinity();
  d.a_ = mean * (alpha - 1.0) / alpha;  // scale x_m, the minimum
  d.b_ = -1.0 / alpha;
  return d;
}

Distribution Distribution::empirical(std::vector<double> values) {
  if (values.empty()) throw std::invalid_argument("empirical values must not be empty");
  for (std::size_t i = 0; i < values.size(); ++i) {
    require_non_negative("empirical value [" + std::to_string(i) + "]", values[i]);
  }
  // Two passes: the mean first, then squared deviations from it (no cancellation).
  const auto n = static_cast<double>(values.size());
  double sum = 0.0;
  for (double v : values) sum += v;
  const double mean = sum / n;
  double squares = 0.0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double variance = squares / n;

  Distribution d;
  d.kind_ = Kind::empirical;
  d.mean_ = mean;
  d.scv_ = mean > 0 ? variance / (mean * mean) : 0.0;  // mean 0 means every value is 0
  d.values_ = std::make_shared<const std::vector<double>>(std::move(values));
  d.data_ = d.values_->data();
  d.size_ = d.values_->size();
  return d;
}

double Distribution::sample_other(Rng& rng) const {
  switch (kind_) {
    case Kind::exponential:
      return a_ * standard_exponential(rng);
    case Kind::deterministic:
      return a_;
    case Kind::uniform:
      return a_ + b_ * rng.uniform_open();
    case Kind::gamma: {
      if (product_terms_ != 0) {
        double product = rng.uniform_open();
        for (std::uint32_t i = 1; i < product_terms_; ++i) product *= rng.uniform_open();
        return -a_ * std::log(product);
      }
      double g = marsaglia_tsang(rng, b_, c_);
      if (d_ != 0.0) g *= std::pow(rng.uniform_open(), d_);
      return a_ * g;
    }
    case Kind::lognormal:
      return std::exp(a_ + b_ * standard_normal(rng));
    case Kind::hyperexponential: {
      // U < p2 (not U >= p1) keeps the small probability exact to the uniform's resolution.
      const double phase_mean = rng.uniform_open() < a_ ? c_ : b_;
      return phase_mean * standard_exponential(rng);
    }
    case Kind::pareto:
      return a_ * std::pow(rng.uniform_open(), b_);
    case Kind::empirical:
      return data_[rng.below(size_)];
  }
  return std::numeric_limits<double>::quiet_NaN();  // unreachable: the switch is exhaustive
}

double Distribution::mean() const {
  return mean_;
}

double Distribution::scv() const {
  return scv_;
}

std::string_view Distribution::name() const {
  switch (kind_) {
    case Kind::exponential:
      return "exponential";
    case Kind::deterministic:
      return "deterministic";
    case Kind::uniform:
      return "uniform";
    case Kind::gamma:
      return is_erlang_ ? "erlang" : "gamma";
    case Kind::lognormal:
      return "lognormal";
    case Kind::hyperexponential:
      return "hyperexponential";
    case Kind::pareto:
      return "pareto";
    case Kind::empirical:
      return "empirical";
  }
  return "unknown";
}

}  // namespace capsim::sim
