#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/rng.hpp"
#include "sim/ziggurat.hpp"

using capsim::sim::Rng;
using capsim::sim::standard_exponential;
namespace zig = capsim::sim::ziggurat_detail;

TEST_SUITE("distribution") {
  TEST_CASE("ziggurat tables: decreasing edges, every layer of area v") {
    const auto& t = zig::kExponential;
    constexpr double kV = 3.9496598225815571993e-3;
    constexpr double kR = 7.69711747013104972;
    CHECK(t.x[1] == kR);
    CHECK(t.x[zig::kLayers] == 0.0);
    CHECK(t.x[zig::kLayers - 1] > 0.0);
    // The base: the rectangle [0, r] x [0, f(r)] plus the tail beyond r, e^-r.
    CHECK(kR * std::exp(-kR) + std::exp(-kR) == doctest::Approx(kV).epsilon(1e-12));
    CHECK(t.x[0] * t.f[1] == doctest::Approx(kV).epsilon(1e-12));
    for (int i = 1; i < zig::kLayers; ++i) {
      CAPTURE(i);
      CHECK(t.x[i + 1] < t.x[i]);
      CHECK(t.f[i] == std::exp(-t.x[i]));
      CHECK(t.x[i] * (t.f[i + 1] - t.f[i]) == doctest::Approx(kV).epsilon(1e-11));
    }
  }

  // Tail probabilities P(X > t) = e^-t, each within 4.5 binomial standard errors (a correct
  // sampler fails one of these 8 checks with probability ~5e-5). The thresholds straddle the
  // layers' fast path, the wedges, and the tail beyond r where only the slow path samples.
  TEST_CASE("ziggurat: tail probabilities from the core, the wedges and beyond r") {
    constexpr int kDraws = 4'000'000;
    const std::vector<double> thresholds = {0.01, 0.25, 1.0, 2.0, 4.0, 7.0, 7.69711747013104972,
                                            9.0};
    std::vector<std::uint64_t> above(thresholds.size(), 0);
    double beyond_r_excess = 0;
    std::uint64_t beyond_r = 0;
    Rng rng = Rng::stream(20261202, 0, "ziggurat");
    for (int i = 0; i < kDraws; ++i) {
      const double x = standard_exponential(rng);
      REQUIRE(x >= 0.0);
      for (std::size_t k = 0; k < thresholds.size(); ++k) above[k] += x > thresholds[k];
      if (x > thresholds[6]) {
        ++beyond_r;
        beyond_r_excess += x - thresholds[6];
      }
    }
    for (std::size_t k = 0; k < thresholds.size(); ++k) {
      const double p = std::exp(-thresholds[k]);
      const double observed = static_cast<double>(above[k]) / kDraws;
      const double standard_error = std::sqrt(p * (1 - p) / kDraws);
      CAPTURE(thresholds[k]);
      CAPTURE(observed);
      CAPTURE(p);
      CHECK(std::abs(observed - p) <= 4.5 * standard_error);
    }
    // Memorylessness beyond r: the excess is a standard exponential (mean 1, sd 1).
    REQUIRE(beyond_r > 1000);
    const double mean_excess = beyond_r_excess / static_cast<double>(beyond_r);
    CAPTURE(beyond_r);
    CHECK(std::abs(mean_excess - 1.0) <= 4.5 / std::sqrt(static_cast<double>(beyond_r)));
  }
}
