#pragma once
// `capsim bench`: engine speed on reference models, each in its own process on one thread, with
// a hand-written single-purpose M/M/c loop run beside the generic engine for comparison.

#include <cstdint>
#include <string>

namespace capsim::tools {

/// Runs the benchmark models `rounds` times, in turn, for about `requests` requests each and
/// prints events/s, requests/s, ns per event (medians over the rounds, with their range) and the
/// peak resident memory of each model's process, then the ratio of the generic engine's time per
/// event to the reference loop's (median of the rounds). `only` selects models whose name
/// contains it (empty: all).
int run_bench(std::uint64_t requests, std::uint64_t seed, const std::string& only, int rounds);

}  // namespace capsim::tools
