#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "sim/chi_squared.hpp"
#include "sim/distribution.hpp"
#include "sim/rng.hpp"
#include "sim/ziggurat.hpp"

using capsim::sim::Distribution;
using capsim::sim::Rng;

namespace {

constexpr int kSamples = 1'000'000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// Raw moments E[X], E[X^2], E[X^3], E[X^4], derived in the test from the textbook formulas.
struct RawMoments {
  double m1, m2, m3, m4;
};

std::vector<double> draw(const Distribution& d, std::string_view stream_name, int n = kSamples) {
  Rng rng = Rng::stream(20240601, 0, stream_name);
  std::vector<double> xs(static_cast<std::size_t>(n));
  for (double& x : xs) x = d.sample(rng);
  return xs;
}

double mean_of(const std::vector<double>& xs) {
  double sum = 0.0;
  for (double x : xs) sum += x;
  return sum / static_cast<double>(xs.size());
}

/// Population variance over mean^2, in two passes.
double scv_of(const std::vector<double>& xs) {
  const double m = mean_of(xs);
  double squares = 0.0;
  for (double x : xs) squares += (x - m) * (x - m);
  return squares / static_cast<double>(xs.size()) / (m * m);
}

void check_support(const std::vector<double>& xs) {
  bool ok = true;
  for (double x : xs) ok = ok && std::isfinite(x) && x >= 0.0;
  CHECK_MESSAGE(ok, "every sample must be finite and >= 0");
}

/// The sample mean is within 4 standard errors of mean(). Standard error of the mean is
/// sqrt(scv) * mean / sqrt(n); by the normal approximation a correct sampler fails a 4-sigma
/// bound with probability ~6e-5.
void check_mean(const std::vector<double>& xs, const Distribution& d) {
  const double n = static_cast<double>(xs.size());
  const double se = std::sqrt(d.scv()) * d.mean() / std::sqrt(n);
  const double m = mean_of(xs);
  CAPTURE(m);
  CAPTURE(se);
  CHECK(std::fabs(m - d.mean()) < 4.0 * se);
}

/// The sample scv = m2/m1^2 - 1 (m_k the sample raw moments) is within 4 standard errors of
/// scv(). Its standard error comes from the delta method with the theoretical moments up to the
/// fourth: gradient g = (-2 m2/m1^3, 1/m1^2) and Cov(m1, m2) = [[m2 - m1^2, m3 - m1 m2],
/// [m3 - m1 m2, m4 - m2^2]] / n. Also checks that the test's moments agree with mean()/scv().
void check_scv(const std::vector<double>& xs, const Distribution& d, const RawMoments& r) {
  CHECK(r.m1 == doctest::Approx(d.mean()).epsilon(1e-12));
  CHECK(r.m2 / (r.m1 * r.m1) - 1.0 == doctest::Approx(d.scv()).epsilon(1e-12));
  const double n = static_cast<double>(xs.size());
  const double g1 = -2.0 * r.m2 / (r.m1 * r.m1 * r.m1);
  const double g2 = 1.0 / (r.m1 * r.m1);
  const double v11 = r.m2 - r.m1 * r.m1;
  const double v12 = r.m3 - r.m1 * r.m2;
  const double v22 = r.m4 - r.m2 * r.m2;
  const double se = std::sqrt((g1 * g1 * v11 + 2.0 * g1 * g2 * v12 + g2 * g2 * v22) / n);
  const double s = scv_of(xs);
  CAPTURE(s);
  CAPTURE(se);
  CHECK(std::fabs(s - d.scv()) < 4.0 * se);
}

/// One-sample Kolmogorov-Smirnov test against the CDF. sqrt(n) D_n < 2.2254 is the asymptotic
/// Kolmogorov bound with P(exceed) = 2 exp(-2 * 2.2254^2) ~ 1e-4 for a correct sampler.
template <class Cdf>
void check_ks(std::vector<double> xs, Cdf cdf) {
  std::sort(xs.begin(), xs.end());
  const double n = static_cast<double>(xs.size());
  double d_max = 0.0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double f = cdf(xs[i]);
    d_max = std::max({d_max, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
  }
  CAPTURE(d_max);
  CHECK(std::sqrt(n) * d_max < 2.2254);
}

/// Regularized lower incomplete gamma P(a, x), the CDF of a unit-scale gamma: a chi-squared
/// with 2a degrees of freedom at 2x (sim/chi_squared, tested against tabled values).
double gamma_p(double a, double x) { return capsim::sim::chi_squared_cdf(2 * x, 2 * a); }

RawMoments gamma_moments(double shape, double scale) {
  const double a = shape;
  return {a * scale, a * (a + 1) * std::pow(scale, 2), a * (a + 1) * (a + 2) * std::pow(scale, 3),
          a * (a + 1) * (a + 2) * (a + 3) * std::pow(scale, 4)};
}

/// Balanced-means two-phase hyperexponential, from the textbook parameterization.
struct HyperParams {
  double p1, p2, rate1, rate2;
};

HyperParams hyper_params(double mean, double cv) {
  const double scv = cv * cv;
  const double p1 = (1.0 + std::sqrt((scv - 1.0) / (scv + 1.0))) / 2.0;
  const double p2 = 1.0 - p1;
  return {p1, p2, 2.0 * p1 / mean, 2.0 * p2 / mean};
}

}  // namespace

TEST_SUITE("distribution") {
  TEST_CASE("names and kinds") {
    CHECK(Distribution::exponential(1).name() == "exponential");
    CHECK(Distribution::deterministic(1).name() == "deterministic");
    CHECK(Distribution::uniform(0, 1).name() == "uniform");
    CHECK(Distribution::erlang(3, 1).name() == "erlang");
    CHECK(Distribution::erlang(20, 1).name() == "erlang");
    CHECK(Distribution::erlang(3, 1).kind() == Distribution::Kind::gamma);
    CHECK(Distribution::gamma(3, 1).name() == "gamma");
    CHECK(Distribution::lognormal(1, 1).name() == "lognormal");
    CHECK(Distribution::hyperexponential(1, 2).name() == "hyperexponential");
    CHECK(Distribution::pareto(3, 1).name() == "pareto");
    CHECK(Distribution::empirical({1.0}).name() == "empirical");
    CHECK(Distribution::pareto(3, 1).kind() == Distribution::Kind::pareto);
  }

  TEST_CASE("exact mean and scv") {
    CHECK(Distribution::exponential(2.5).mean() == 2.5);
    CHECK(Distribution::exponential(2.5).scv() == 1.0);
    CHECK(Distribution::uniform(1, 3).mean() == 2.0);
    CHECK(Distribution::uniform(1, 3).scv() == doctest::Approx(1.0 / 12.0));  // (4/12) / 4
    CHECK(Distribution::uniform(0, 0).scv() == 0.0);
    CHECK(Distribution::erlang(4, 2).mean() == 2.0);
    CHECK(Distribution::erlang(4, 2).scv() == 0.25);
    CHECK(Distribution::gamma(0.5, 3).mean() == 3.0);
    CHECK(Distribution::gamma(0.5, 3).scv() == 2.0);
    CHECK(Distribution::lognormal(2, 0.5).mean() == 2.0);
    CHECK(Distribution::lognormal(2, 0.5).scv() == 0.25);
    CHECK(Distribution::hyperexponential(1, 3).mean() == 1.0);
    CHECK(Distribution::hyperexponential(1, 3).scv() == 9.0);
    CHECK(Distribution::pareto(3, 1.5).mean() == 1.5);
    CHECK(Distribution::pareto(3, 1.5).scv() == doctest::Approx(1.0 / 3.0));
    CHECK(Distribution::pareto(4, 1).scv() == 0.125);
    CHECK(Distribution::pareto(2, 1).scv() == kInf);
    CHECK(Distribution::pareto(1.5, 1).scv() == kInf);
  }

  TEST_CASE("deterministic is exact") {
    const Distribution d = Distribution::deterministic(3.25);
    CHECK(d.mean() == 3.25);
    CHECK(d.scv() == 0.0);
    Rng rng(1);
    for (int i = 0; i < 1000; ++i) CHECK(d.sample(rng) == 3.25);
    const Distribution zero = Distribution::deterministic(0);
    CHECK(zero.sample(rng) == 0.0);
    CHECK(zero.scv() == 0.0);
  }

  TEST_CASE("samplers follow their defining formulas bit for bit") {
    Rng rng(77);
    Rng ref(77);
    SUBCASE("exponential: mean times a standard exponential from the ziggurat") {
      const Distribution d = Distribution::exponential(2.5);
      for (int i = 0; i < 1000; ++i) CHECK(d.sample(rng) == 2.5 * capsim::sim::standard_exponential(ref));
    }
    SUBCASE("uniform: low + (high - low) U") {
      const Distribution d = Distribution::uniform(1.5, 4.0);
      for (int i = 0; i < 1000; ++i) CHECK(d.sample(rng) == 1.5 + 2.5 * ref.uniform_open());
    }
    SUBCASE("erlang, small k: -(mean/k) log(U1 U2 U3)") {
      const Distribution d = Distribution::erlang(3, 1.5);
      for (int i = 0; i < 1000; ++i) {
        double product = ref.uniform_open();
        product *= ref.uniform_open();
        product *= ref.uniform_open();
        CHECK(d.sample(rng) == -0.5 * std::log(product));
      }
    }
    SUBCASE("pareto: x_m U^(-1/alpha)") {
      const double alpha = 3.0;
      const double xm = 1.5 * (alpha - 1.0) / alpha;
      const Distribution d = Distribution::pareto(alpha, 1.5);
      for (int i = 0; i < 1000; ++i) {
        CHECK(d.sample(rng) == xm * std::pow(ref.uniform_open(), -1.0 / alpha));
      }
    }
    SUBCASE("empirical: values[below(n)]") {
      const std::vector<double> values = {0.5, 1.0, 7.0, 2.0, 2.0};
      const Distribution d = Distribution::empirical(values);
      for (int i = 0; i < 1000; ++i) CHECK(d.sample(rng) == values[ref.below(values.size())]);
    }
  }

  TEST_CASE("same stream - same draws - copies sample identically") {
    const std::vector<Distribution> all = {
        Distribution::exponential(1),    Distribution::uniform(0, 2),
        Distribution::erlang(2, 1),      Distribution::erlang(30, 1),
        Distribution::gamma(0.3, 1),     Distribution::gamma(4.5, 1),
        Distribution::lognormal(1, 1.2), Distribution::hyperexponential(1, 4),
        Distribution::pareto(1.7, 1),    Distribution::empirical({1, 2, 3}),
        Distribution::deterministic(2)};
    for (const Distribution& d : all) {
      CAPTURE(d.name());
      const Distribution copy = d;
      Rng a(5);
      Rng b(5);
      bool same = true;
      for (int i = 0; i < 10'000; ++i) same = same && d.sample(a) == copy.sample(b);
      CHECK(same);
    }
  }

  TEST_CASE("exponential: moments and Kolmogorov-Smirnov") {
    const double mean = 2.0;
    const Distribution d = Distribution::exponential(mean);
    const auto xs = draw(d, "exponential");
    check_support(xs);
    check_mean(xs, d);
    check_scv(xs, d, {mean, 2 * std::pow(mean, 2), 6 * std::pow(mean, 3), 24 * std::pow(mean, 4)});
    check_ks(xs, [&](double x) { return 1.0 - std::exp(-x / mean); });
  }

  TEST_CASE("uniform: moments and Kolmogorov-Smirnov") {
    const double lo = 1.0;
    const double hi = 3.0;
    const Distribution d = Distribution::uniform(lo, hi);
    const auto xs = draw(d, "uniform");
    check_support(xs);
    CHECK(*std::min_element(xs.begin(), xs.end()) >= lo);
    CHECK(*std::max_element(xs.begin(), xs.end()) <= hi);
    auto raw = [&](int k) {
      return (std::pow(hi, k + 1) - std::pow(lo, k + 1)) / ((k + 1) * (hi - lo));
    };
    check_mean(xs, d);
    check_scv(xs, d, {raw(1), raw(2), raw(3), raw(4)});
    check_ks(xs, [&](double x) { return std::clamp((x - lo) / (hi - lo), 0.0, 1.0); });

    const Distribution point = Distribution::uniform(2, 2);
    Rng rng(3);
    CHECK(point.sample(rng) == 2.0);
  }

  TEST_CASE("erlang - product path (k <= 8): moments and Kolmogorov-Smirnov") {
    const int k = 3;
    const double mean = 1.5;
    const Distribution d = Distribution::erlang(k, mean);
    const auto xs = draw(d, "erlang3");
    check_support(xs);
    check_mean(xs, d);
    check_scv(xs, d, gamma_moments(k, mean / k));
    check_ks(xs, [&](double x) { return gamma_p(k, x * k / mean); });
  }

  TEST_CASE("erlang - gamma path (k > 8): moments and Kolmogorov-Smirnov") {
    const int k = 12;
    const double mean = 6.0;
    const Distribution d = Distribution::erlang(k, mean);
    const auto xs = draw(d, "erlang12");
    check_support(xs);
    check_mean(xs, d);
    check_scv(xs, d, gamma_moments(k, mean / k));
    check_ks(xs, [&](double x) { return gamma_p(k, x * k / mean); });
  }

  TEST_CASE("gamma - shape >= 1 (Marsaglia-Tsang): moments and Kolmogorov-Smirnov") {
    const double shape = 2.5;
    const double mean = 3.0;
    const Distribution d = Distribution::gamma(shape, mean);
    const auto xs = draw(d, "gamma2.5");
    check_support(xs);
    check_mean(xs, d);
    check_scv(xs, d, gamma_moments(shape, mean / shape));
    check_ks(xs, [&](double x) { return gamma_p(shape, x * shape / mean); });
  }

  TEST_CASE("gamma - shape < 1 (U^(1/shape) boost): moments and Kolmogorov-Smirnov") {
    const double shape = 0.5;
    const double mean = 2.0;
    const Distribution d = Distribution::gamma(shape, mean);
    const auto xs = draw(d, "gamma0.5");
    check_support(xs);
    check_mean(xs, d);
    check_scv(xs, d, gamma_moments(shape, mean / shape));
    // P(1/2, y) = erf(sqrt(y)).
    check_ks(xs, [&](double x) { return std::erf(std::sqrt(x * shape / mean)); });
  }

  TEST_CASE("lognormal: moments and Kolmogorov-Smirnov") {
    for (const double cv : {0.5, 2.0}) {
      CAPTURE(cv);
      const double mean = 2.0;
      const Distribution d = Distribution::lognormal(mean, cv);
      const auto xs = draw(d, cv < 1 ? "lognormal0.5" : "lognormal2");
      const double sigma2 = std::log(1.0 + cv * cv);
      const double mu = std::log(mean) - sigma2 / 2.0;
      auto raw = [&](int k) { return std::exp(k * mu + k * k * sigma2 / 2.0); };
      check_support(xs);
      check_mean(xs, d);
      // With cv = 2, E[X^4] / mean^4 = (1 + cv^2)^6 ~ 1.6e4 and higher moments are larger still,
      // so the normal approximation behind the scv bound is poor: test its scv only at cv = 0.5.
      if (cv < 1) check_scv(xs, d, {raw(1), raw(2), raw(3), raw(4)});
      check_ks(xs, [&](double x) {
        return 0.5 * std::erfc(-(std::log(x) - mu) / (std::sqrt(sigma2) * std::numbers::sqrt2));
      });
    }
  }

  TEST_CASE("hyperexponential: moments and Kolmogorov-Smirnov") {
    const double mean = 1.0;
    const double cv = 2.0;
    const Distribution d = Distribution::hyperexponential(mean, cv);
    const HyperParams h = hyper_params(mean, cv);
    CHECK(h.p1 / h.rate1 == doctest::Approx(h.p2 / h.rate2));  // balanced means
    const auto xs = draw(d, "hyperexponential");
    auto raw = [&](int k) {
      const double factorial = std::tgamma(k + 1.0);
      return h.p1 * factorial / std::pow(h.rate1, k) + h.p2 * factorial / std::pow(h.rate2, k);
    };
    check_support(xs);
    check_mean(xs, d);
    check_scv(xs, d, {raw(1), raw(2), raw(3), raw(4)});
    check_ks(xs, [&](double x) {
      return 1.0 - h.p1 * std::exp(-h.rate1 * x) - h.p2 * std::exp(-h.rate2 * x);
    });
  }

  TEST_CASE("pareto: mean - minimum and Kolmogorov-Smirnov") {
    // Var(sample variance) needs E[X^4], infinite for alpha <= 4; alpha = 3 keeps the variance
    // finite, so the mean test is valid (convergence is slower than for light tails).
    for (const double alpha : {3.0, 1.5}) {
      CAPTURE(alpha);
      const double mean = 1.5;
      const double scale = mean * (alpha - 1.0) / alpha;
      const Distribution d = Distribution::pareto(alpha, mean);
      const auto xs = draw(d, alpha > 2 ? "pareto3" : "pareto1.5");
      check_support(xs);
      const double lowest = *std::min_element(xs.begin(), xs.end());
      CHECK(lowest >= scale);
      CHECK(lowest < scale * (1.0 + 1e-4));  // P(X > scale (1 + 1e-4)) ^ 1e6 ~ e^-300
      if (alpha > 2) check_mean(xs, d);
      check_ks(xs, [&](double x) { return 1.0 - std::pow(scale / x, alpha); });
    }
  }

  TEST_CASE("empirical: exact moments - support and frequencies") {
    const Distribution d = Distribution::empirical({1, 2, 3, 4});
    CHECK(d.mean() == 2.5);
    CHECK(d.scv() == 0.2);  // population variance 1.25 / 2.5^2

    const Distribution single = Distribution::empirical({5});
    CHECK(single.mean() == 5.0);
    CHECK(single.scv() == 0.0);
    const Distribution zeros = Distribution::empirical({0, 0});
    CHECK(zeros.mean() == 0.0);
    CHECK(zeros.scv() == 0.0);

    const std::vector<double> values = {0.25, 3.0, 3.0, 10.0, 0.0, 1.5, 42.0};
    const Distribution e = Distribution::empirical(values);
    double sum = 0;
    for (double v : values) sum += v;
    const double m = sum / values.size();
    double squares = 0;
    for (double v : values) squares += (v - m) * (v - m);
    CHECK(e.mean() == doctest::Approx(m).epsilon(1e-15));
    CHECK(e.scv() == doctest::Approx(squares / values.size() / (m * m)).epsilon(1e-15));

    const auto xs = draw(e, "empirical");
    bool all_listed = true;
    for (double x : xs) {
      all_listed = all_listed && std::find(values.begin(), values.end(), x) != values.end();
    }
    CHECK(all_listed);
    auto raw = [&](int k) {
      double s = 0;
      for (double v : values) s += std::pow(v, k);
      return s / values.size();
    };
    check_mean(xs, e);
    check_scv(xs, e, {raw(1), raw(2), raw(3), raw(4)});

    // Each of 4 distinct values is drawn with probability 1/4: counts are binomial, 4 sigma.
    Rng rng(13);
    constexpr int n = 400'000;
    int counts[5] = {};
    for (int i = 0; i < n; ++i) ++counts[static_cast<int>(d.sample(rng))];
    const double sd = std::sqrt(n * 0.25 * 0.75);
    for (int v = 1; v <= 4; ++v) CHECK(std::fabs(counts[v] - n / 4.0) < 4.0 * sd);
  }

  TEST_CASE("empirical copies keep the values alive") {
    Distribution copy = Distribution::deterministic(0);
    {
      const Distribution original = Distribution::empirical({7, 8, 9});
      copy = original;
    }
    Rng rng(1);
    for (int i = 0; i < 100; ++i) {
      const double x = copy.sample(rng);
      CHECK((x == 7 || x == 8 || x == 9));
    }
    CHECK(copy.mean() == 8.0);
  }

  TEST_CASE("invalid parameters throw std::invalid_argument") {
    using D = Distribution;
    CHECK_THROWS_WITH_AS(D::lognormal(1, -1), "lognormal cv must be > 0, got -1",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(D::lognormal(1, kNaN), "lognormal cv must be finite, got nan",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(D::exponential(0), "exponential mean must be > 0, got 0",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(D::erlang(0, 1), "erlang k must be >= 1, got 0", std::invalid_argument);
    CHECK_THROWS_WITH_AS(D::hyperexponential(1, 1), "hyperexponential cv must be > 1, got 1",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(D::pareto(1, 1), "pareto alpha must be > 1, got 1", std::invalid_argument);
    CHECK_THROWS_WITH_AS(D::empirical({}), "empirical values must not be empty",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(D::empirical({1, -0.5}), "empirical value [1] must be >= 0, got -0.5",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(D::uniform(2, 1), "uniform high must be >= low (2), got 1",
                         std::invalid_argument);

    CHECK_THROWS_AS(D::exponential(-1), std::invalid_argument);
    CHECK_THROWS_AS(D::exponential(kNaN), std::invalid_argument);
    CHECK_THROWS_AS(D::exponential(kInf), std::invalid_argument);
    CHECK_THROWS_AS(D::deterministic(-1), std::invalid_argument);
    CHECK_THROWS_AS(D::deterministic(kNaN), std::invalid_argument);
    CHECK_THROWS_AS(D::deterministic(kInf), std::invalid_argument);
    CHECK_THROWS_AS(D::uniform(-1, 1), std::invalid_argument);
    CHECK_THROWS_AS(D::uniform(0, kInf), std::invalid_argument);
    CHECK_THROWS_AS(D::uniform(kNaN, 1), std::invalid_argument);
    CHECK_THROWS_AS(D::uniform(0, kNaN), std::invalid_argument);
    CHECK_THROWS_AS(D::erlang(-3, 1), std::invalid_argument);
    CHECK_THROWS_AS(D::erlang(3, 0), std::invalid_argument);
    CHECK_THROWS_AS(D::erlang(3, kNaN), std::invalid_argument);
    CHECK_THROWS_AS(D::gamma(0, 1), std::invalid_argument);
    CHECK_THROWS_AS(D::gamma(-1, 1), std::invalid_argument);
    CHECK_THROWS_AS(D::gamma(kInf, 1), std::invalid_argument);
    CHECK_THROWS_AS(D::gamma(1, 0), std::invalid_argument);
    CHECK_THROWS_AS(D::gamma(1, kInf), std::invalid_argument);
    CHECK_THROWS_AS(D::gamma(1e-320, 1), std::invalid_argument);  // 1/shape overflows
    CHECK_THROWS_AS(D::lognormal(0, 1), std::invalid_argument);
    CHECK_THROWS_AS(D::lognormal(1, 0), std::invalid_argument);
    CHECK_THROWS_AS(D::lognormal(1, kInf), std::invalid_argument);
    CHECK_THROWS_AS(D::lognormal(1, 1e200), std::invalid_argument);  // cv^2 overflows
    CHECK_THROWS_AS(D::hyperexponential(1, 0.5), std::invalid_argument);
    CHECK_THROWS_AS(D::hyperexponential(0, 2), std::invalid_argument);
    CHECK_THROWS_AS(D::hyperexponential(1, kInf), std::invalid_argument);
    CHECK_THROWS_AS(D::pareto(0.5, 1), std::invalid_argument);
    CHECK_THROWS_AS(D::pareto(kNaN, 1), std::invalid_argument);
    CHECK_THROWS_AS(D::pareto(kInf, 1), std::invalid_argument);
    CHECK_THROWS_AS(D::pareto(2, 0), std::invalid_argument);
    CHECK_THROWS_AS(D::pareto(2, -1), std::invalid_argument);
    CHECK_THROWS_AS(D::empirical({kNaN}), std::invalid_argument);
    CHECK_THROWS_AS(D::empirical({1, kInf}), std::invalid_argument);

    CHECK_NOTHROW(D::deterministic(0));
    CHECK_NOTHROW(D::uniform(0, 0));
    CHECK_NOTHROW(D::empirical({0}));
    CHECK_NOTHROW(D::hyperexponential(1, 1.0001));
    CHECK_NOTHROW(D::pareto(1.0001, 1));
  }
}
