#pragma once
// Exponential variates by the ziggurat method: one 64-bit draw, one multiply and one compare
// for 98.9% of samples, where -log(U) needs a call to log for every one.

#include <array>
#include <cstdint>

#include "sim/rng.hpp"

namespace capsim::sim {

namespace ziggurat_detail {
/// Layers of the ziggurat: the low 8 bits of a draw pick one.
inline constexpr int kLayers = 256;
/// x[i]: right edge of layer i (x[0] = the base's pseudo-width v / f(r), x[1] = r, x[256] = 0);
/// f[i] = exp(-x[i]).
struct Tables {
  std::array<double, kLayers + 1> x;
  std::array<double, kLayers + 1> f;
};
extern const Tables kExponential;
/// The rare cases: the tail beyond r (layer 0) and the wedges under the curve.
double exponential_rejected(Rng& rng, std::uint64_t layer, double x);
}  // namespace ziggurat_detail

/// A standard exponential variate (mean 1), exact up to the double tables: Marsaglia & Tsang,
/// "The Ziggurat Method for Generating Random Variables", J. Stat. Software 5(8), 2000, with
/// 256 layers of area v = 3.9496598225815571993e-3 and r = 7.69711747013104972 (their values),
/// a 52-bit uniform from the high bits and the layer from the low 8 bits of one draw (as in
/// Doornik's and the Rust rand_distr variants, so the two are independent). Tail: r - log(U).
inline double standard_exponential(Rng& rng) {
  using ziggurat_detail::kExponential;
  const std::uint64_t bits = rng.next_u64();
  const std::uint64_t layer = bits & (ziggurat_detail::kLayers - 1);
  const double x = Rng::to_unit_open(bits) * kExponential.x[layer];
  if (x < kExponential.x[layer + 1]) return x;  // inside the layer's core rectangle
  return ziggurat_detail::exponential_rejected(rng, layer, x);
}

}  // namespace capsim::sim
