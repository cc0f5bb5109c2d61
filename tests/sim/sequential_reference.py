#!/usr/bin/python3
"""References for tests/sim/test_sequential.cpp: Law & Kelton's approximate number of
replications n*_r, the smallest i >= n with t(i - 1, 0.975) S / sqrt(i) <= target |mean|, by a
scan with scipy's Student-t quantile. The relative half-width of n replications gives S / |mean|.
Usage: /usr/bin/python3 tests/sim/sequential_reference.py"""
import math

from scipy.stats import t


def needed(n, relative_half_width, target, confidence=0.95):
    p = 0.5 + confidence / 2
    spread = relative_half_width * math.sqrt(n) / t.ppf(p, n - 1)
    i = n
    while t.ppf(p, i - 1) * spread / math.sqrt(i) > target:
        i += 1
    return i


for n, relative, target in [(10, 0.1, 0.02), (10, 0.05, 0.02 / 1.02), (4, 0.3, 0.05)]:
    print(f"n {n}, relative half-width {relative}, target {target:.6g}: {needed(n, relative, target)}")
