#pragma once
// Relative precision by sequential replication: how wide an interval may stay, and how many
// replications an interval of that width needs (Law & Kelton, "Simulation Modeling and
// Analysis", 3rd ed., 2000, sec. 9.4.1).

#include <cstdint>

#include "sim/statistics.hpp"

namespace capsim::sim {

/// The relative half-width gamma' = gamma / (1 + gamma) at which Law & Kelton's procedure stops
/// so that the estimate's actual relative error |mean - mu| / |mu| is at most gamma (0 < gamma
/// < 1) with the interval's confidence: a half-width of gamma' |mean| bounds |mean - mu| by
/// gamma |mu|.
double adjusted_relative_error(double gamma);

/// half_width / |mean|: 0 when the half-width is 0 (every replication agrees: the value is
/// exact), infinity when only the mean is 0, NaN when either is NaN.
double relative_half_width(const Estimate& estimate);

/// Law & Kelton's approximate number of replications n*_r: the smallest i >= the estimate's
/// replications n with t(i - 1, (1 + confidence) / 2) S / sqrt(i) <= target |mean|, S the sample
/// standard deviation of the n values behind `estimate` (recovered from its half-width). At most
/// kUnreachable, which also stands for "no finite i" (mean 0 with a positive half-width).
std::uint64_t replications_needed(const Estimate& estimate, double target, double confidence);
inline constexpr std::uint64_t kUnreachable = std::uint64_t{1} << 40;

}  // namespace capsim::sim
