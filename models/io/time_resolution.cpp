#include "models/io/time_resolution.hpp"

#include <fmt/format.h>

#include <limits>

#include "sim/simulator.hpp"

namespace capsim::models {

namespace {

struct Shortest {
  double mean = std::numeric_limits<double>::infinity();
  std::string pointer;
};

// Every object with "dist" is a distribution the loader has already validated.
void find_shortest(const Json& value, const Where& where, Shortest& shortest) {
  if (value.is_object()) {
    if (value.contains("dist")) {
      const double mean = read_distribution(value, where).mean();
      if (mean < shortest.mean) shortest = {mean, where.pointer()};
      return;
    }
    for (const auto& [key, child] : value.items()) find_shortest(child, where / key, shortest);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) find_shortest(value[i], where / i, shortest);
  }
}

}  // namespace

std::optional<std::string> check_time_resolution(const Json& document, const std::string& file,
                                                 double horizon) {
  Shortest shortest;
  find_shortest(document, Where(file), shortest);
  const double step = sim::Simulator::resolution_at(horizon);
  if (!(step > kResolutionWarningRatio * shortest.mean)) return std::nullopt;
  const std::string found = fmt::format(
      "a clock step of {:.3g} s at the end of the run (t = {:g} s), {:.2g} of the smallest mean "
      "time ({:g} s at {})",
      step, horizon, step / shortest.mean, shortest.mean, shortest.pointer);
  if (step > kResolutionErrorRatio * shortest.mean) {
    Where(file, "/duration")
        .fail(found, fmt::format("a step below {:g} of it: a shorter duration or warm-up, or "
                                 "times in a larger unit",
                                 kResolutionErrorRatio));
  }
  return fmt::format(
      "{}: {}: delays below {:.3g} s round to 0 and then run in the order they were scheduled",
      file, found, step / 2);
}

}  // namespace capsim::models
