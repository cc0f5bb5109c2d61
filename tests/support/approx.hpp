#pragma once
// Tolerances for comparing computed values with references.

#include <doctest/doctest.h>

namespace capsim::testing {

/// Purely relative comparison (doctest's default scale of 1 would make it absolute near 0).
inline doctest::Approx rel(double expected, double epsilon) {
  return doctest::Approx(expected).epsilon(epsilon).scale(0.0);
}

}  // namespace capsim::testing
