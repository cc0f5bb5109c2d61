// The Zipf sampler against exact probabilities: chi-square over all keys and the frequencies of
// the most popular keys, with normalizers summed term by term (N = 1000) or by Euler-Maclaurin
// (N = 10^8, independent of the sampler's own integrals).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "sim/rng.hpp"
#include "sim/zipf.hpp"

using capsim::sim::Rng;
using capsim::sim::ZipfSampler;

namespace {

// H(n, alpha) = sum_{r=1}^{n} r^-alpha, term by term (smallest first).
double harmonic(std::uint64_t n, double alpha) {
  double total = 0;
  for (std::uint64_t r = n; r >= 1; --r) total += std::pow(static_cast<double>(r), -alpha);
  return total;
}

// H(n, alpha) by Euler-Maclaurin: the first m - 1 terms exactly, then
// integral_m^n + (f(m) + f(n)) / 2 + (f'(n) - f'(m)) / 12 - (f'''(n) - f'''(m)) / 720, whose
// error for m = 1000 is far below 1e-15 relative.
double harmonic_euler_maclaurin(double n, double alpha) {
  const double m = 1000;
  double total = 0;
  for (double r = m - 1; r >= 1; --r) total += std::pow(r, -alpha);
  auto f = [&](double x) { return std::pow(x, -alpha); };
  auto f1 = [&](double x) { return -alpha * std::pow(x, -alpha - 1); };
  auto f3 = [&](double x) { return -alpha * (alpha + 1) * (alpha + 2) * std::pow(x, -alpha - 3); };
  const double integral = alpha == 1
                              ? std::log(n / m)
                              : (std::pow(n, 1 - alpha) - std::pow(m, 1 - alpha)) / (1 - alpha);
  return total + integral + (f(m) + f(n)) / 2 + (f1(n) - f1(m)) / 12 - (f3(n) - f3(m)) / 720;
}

// Upper quantile of chi-square with `df` degrees of freedom by Wilson-Hilferty, for a standard
// normal quantile z (accurate to well under 1% for df in the hundreds).
double chi_square_quantile(double df, double z) {
  const double a = 2 / (9 * df);
  return df * std::pow(1 - a + z * std::sqrt(a), 3);
}

// Standard normal quantile for the per-test false alarm probabilities used below.
constexpr double kZ1e6 = 4.753;  // P(Z > z) = 1e-6
constexpr double kZTop = 4.417;  // two-sided 1e-5: 10 keys x 4 exponents stay below 1e-3

}  // namespace

TEST_SUITE("zipf") {
  TEST_CASE("chi-square over 1000 keys and the top keys' frequencies match the exact law") {
    constexpr std::uint64_t kKeys = 1000;
    constexpr std::uint64_t kDraws = 4'000'000;
    for (double alpha : {0.5, 0.8, 1.0, 1.2}) {
      CAPTURE(alpha);
      const ZipfSampler sampler(kKeys, alpha);
      Rng rng = Rng::stream(2024, 0, "zipf");
      std::vector<std::uint64_t> counts(kKeys, 0);
      for (std::uint64_t i = 0; i < kDraws; ++i) {
        const std::uint64_t key = sampler.sample(rng);
        REQUIRE(key < kKeys);
        ++counts[key];
      }
      const double normalizer = harmonic(kKeys, alpha);
      double chi_square = 0;
      double smallest_expected = kDraws;
      for (std::uint64_t k = 0; k < kKeys; ++k) {
        const double expected = kDraws * std::pow(static_cast<double>(k + 1), -alpha) / normalizer;
        smallest_expected = std::min(smallest_expected, expected);
        chi_square += (counts[k] - expected) * (counts[k] - expected) / expected;
      }
      // Every cell expects at least 5 draws, so the chi-square law applies.
      REQUIRE(smallest_expected >= 5);
      const double threshold = chi_square_quantile(kKeys - 1, kZ1e6);
      INFO("chi-square ", chi_square, " threshold (P = 1e-6) ", threshold);
      CHECK(chi_square <= threshold);
      for (std::uint64_t k = 0; k < 10; ++k) {
        const double p = std::pow(static_cast<double>(k + 1), -alpha) / normalizer;
        const double frequency = static_cast<double>(counts[k]) / kDraws;
        const double tolerance = kZTop * std::sqrt(p * (1 - p) / kDraws);
        INFO("key ", k, " frequency ", frequency, " exact ", p, " tolerance ", tolerance);
        CHECK(std::fabs(frequency - p) <= tolerance);
        // The tolerance is tight: at most 3.5% of p (the tenth key at alpha 0.5, p = 0.005).
        CHECK(tolerance <= 0.035 * p);
      }
    }
  }

  TEST_CASE("10^8 keys take constant memory and give the exact top probabilities") {
    static_assert(sizeof(ZipfSampler) <= 48, "the sampler keeps a few numbers, not a table");
    constexpr std::uint64_t kKeys = 100'000'000;
    constexpr std::uint64_t kDraws = 1'000'000;
    for (double alpha : {0.8, 1.0}) {
      CAPTURE(alpha);
      const ZipfSampler sampler(kKeys, alpha);
      Rng rng = Rng::stream(7, 1, "zipf-large");
      std::vector<std::uint64_t> top(5, 0);
      std::uint64_t largest = 0;
      for (std::uint64_t i = 0; i < kDraws; ++i) {
        const std::uint64_t key = sampler.sample(rng);
        REQUIRE(key < kKeys);
        largest = std::max(largest, key);
        if (key < top.size()) ++top[key];
      }
      // The tail is reached: at alpha 0.8 most requests (62%) go to keys beyond 10^6.
      CHECK(largest > 10'000'000);
      const double normalizer = harmonic_euler_maclaurin(static_cast<double>(kKeys), alpha);
      for (std::uint64_t k = 0; k < top.size(); ++k) {
        const double p = std::pow(static_cast<double>(k + 1), -alpha) / normalizer;
        const double frequency = static_cast<double>(top[k]) / kDraws;
        const double tolerance = kZTop * std::sqrt(p * (1 - p) / kDraws);
        INFO("key ", k, " frequency ", frequency, " exact ", p, " tolerance ", tolerance);
        CHECK(std::fabs(frequency - p) <= tolerance);
      }
    }
  }

  TEST_CASE("alpha 0 draws exactly the uniform keys") {
    const ZipfSampler sampler(12345, 0);
    Rng a = Rng::stream(3, 0, "keys");
    Rng b = Rng::stream(3, 0, "keys");
    for (int i = 0; i < 1000; ++i) CHECK(sampler.sample(a) == b.below(12345));
  }

  TEST_CASE("exponents near and far from 1 and tiny key spaces") {
    Rng rng(11);
    // alpha = 1 uses the log form; 1 +- 1e-9 the series: all three agree on key 0's frequency.
    for (double alpha : {1 - 1e-9, 1.0, 1 + 1e-9}) {
      const ZipfSampler sampler(100, alpha);
      int zeros = 0;
      for (int i = 0; i < 200000; ++i) zeros += sampler.sample(rng) == 0;
      const double p = 1 / harmonic(100, 1.0);
      CHECK(std::fabs(zeros / 200000.0 - p) <= kZTop * std::sqrt(p * (1 - p) / 200000));
    }
    // One key: always key 0. Two keys at alpha 2: key 0 with probability 4/5.
    const ZipfSampler one(1, 1.5);
    for (int i = 0; i < 100; ++i) CHECK(one.sample(rng) == 0);
    const ZipfSampler two(2, 2.0);
    int zeros = 0;
    for (int i = 0; i < 100000; ++i) zeros += two.sample(rng) == 0;
    CHECK(std::fabs(zeros / 100000.0 - 0.8) <= kZTop * std::sqrt(0.16 / 100000));
    // A huge exponent puts everything on key 0 without overflow or an endless loop.
    const ZipfSampler steep(1000, 100);
    for (int i = 0; i < 1000; ++i) CHECK(steep.sample(rng) == 0);
  }
}
