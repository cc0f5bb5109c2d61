#!/usr/bin/env python3
"""Reference values for tests/sim/test_gi_m_1.cpp, computed independently of capsim with mpmath
(30 significant digits). Run: python3 tests/sim/gi_m_1_reference.py

- D/M/1: sigma = exp(-(1 - sigma) / rho) has the closed form sigma = -rho W0(-exp(-1/rho) / rho)
  (Lambert W, principal branch).
- E2/M/1: sigma = (2 rho / (2 rho + 1 - sigma))^2 (mu = 1) reduces to a quadratic in 1 - sigma,
  whose root in (0, 1) is sigma = (1 + 4 rho - sqrt(1 + 8 rho)) / 2.
- E3/M/1: sigma = (3 rho / (3 rho + 1 - sigma))^3 solved by mpmath.findroot.
- Power of d, mean-field limit: L = sum_{i >= 1} rho^((d^i - 1)/(d - 1)), summed exactly.
"""
from mpmath import findroot, lambertw, mp, mpf, exp, sqrt

mp.dps = 30

for rho in ("0.5", "0.9"):
    r = mpf(rho)
    print(f"D/M/1   rho {rho}: sigma = {mp.nstr((-r * lambertw(-exp(-1 / r) / r)).real, 20)}")
for rho in ("0.5", "0.8"):
    r = mpf(rho)
    print(f"E2/M/1  rho {rho}: sigma = {mp.nstr((1 + 4 * r - sqrt(1 + 8 * r)) / 2, 20)}")
r = mpf("0.8")
sigma = findroot(lambda s: (3 * r / (3 * r + 1 - s)) ** 3 - s, mpf("0.7"))
print(f"E3/M/1  rho 0.8: sigma = {mp.nstr(sigma, 20)}")


def mean_field_number(rho, d):
    total, exponent = mpf(0), 1
    for _ in range(60):
        total += rho**exponent
        exponent = exponent * d + 1
    return total


for d, rho in ((2, "0.5"), (2, "0.9"), (2, "0.99"), (3, "0.9")):
    print(f"power of {d}, rho {rho}: L = {mp.nstr(mean_field_number(mpf(rho), d), 20)}")
