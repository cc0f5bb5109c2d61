#pragma once
// Whether a scenario's horizon leaves the clock enough resolution for its shortest times.
//
// Times are doubles in seconds: at time t the clock moves in steps of about 2.2e-16 t (6e-8 s
// after ten years). The scenario's shortest time scale is the smallest mean of its distributions
// (service, interarrival, think, delay ...). Where the step at the end of the run (warm-up +
// duration) exceeds kErrorRatio of that mean, results would be wrong in their printed digits: an
// error. Where it exceeds kWarningRatio, delays well below the mean round to the step: a warning.

#include <optional>
#include <string>

#include "models/io/json_input.hpp"

namespace capsim::models {

inline constexpr double kResolutionErrorRatio = 1e-3;
inline constexpr double kResolutionWarningRatio = 1e-6;

/// Checks the document's distributions against the clock's resolution at `horizon` (s).
/// Throws InputError at /duration when it is too coarse; returns a warning when it is coarse.
std::optional<std::string> check_time_resolution(const Json& document, const std::string& file,
                                                 double horizon);

}  // namespace capsim::models
