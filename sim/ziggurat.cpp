#include "sim/ziggurat.hpp"

#include <cmath>

namespace capsim::sim::ziggurat_detail {

namespace {

constexpr double kR = 7.69711747013104972;
constexpr double kV = 3.9496598225815571993e-3;

// Layer edges from the recurrence f(x[i]) = f(x[i-1]) + v / x[i-1]: each layer has area v.
Tables make_tables() {
  Tables t{};
  t.x[0] = kV / std::exp(-kR);
  t.x[1] = kR;
  for (int i = 2; i < kLayers; ++i) t.x[i] = -std::log(kV / t.x[i - 1] + std::exp(-t.x[i - 1]));
  t.x[kLayers] = 0;
  for (int i = 0; i <= kLayers; ++i) t.f[i] = std::exp(-t.x[i]);
  return t;
}

}  // namespace

const Tables kExponential = make_tables();

double exponential_rejected(Rng& rng, std::uint64_t layer, double x) {
  for (;;) {
    // The base layer's overhang is the tail beyond r: memoryless, so r plus a fresh variate.
    if (layer == 0) return kR - std::log(rng.uniform_open());
    // A wedge: accept under the curve, height uniform between the layer's bottom and top.
    const double y = kExponential.f[layer] +
                     (kExponential.f[layer + 1] - kExponential.f[layer]) * rng.uniform_open();
    if (y < std::exp(-x)) return x;
    const std::uint64_t bits = rng.next_u64();
    layer = bits & (kLayers - 1);
    x = Rng::to_unit_open(bits) * kExponential.x[layer];
    if (x < kExponential.x[layer + 1]) return x;
  }
}

}  // namespace capsim::sim::ziggurat_detail
