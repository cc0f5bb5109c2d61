#pragma once
// `capsim bench`: engine throughput on reference models, one thread.

#include <cstdint>

namespace capsim::tools {

/// Runs M/M/1 and M/M/4 at rho = 0.9 for `requests` requests each and prints events/s,
/// requests/s, ns per event and peak memory.
int run_bench(std::uint64_t requests, std::uint64_t seed);

}  // namespace capsim::tools
