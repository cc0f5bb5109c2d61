#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>
#include <limits>
#include <stdexcept>
#include <vector>

#include "sim/analytic/queueing.hpp"
#include "tests/support/approx.hpp"

using namespace capsim::analytic;
using capsim::testing::rel;

namespace {

/// Erlang B straight from its definition, (a^c / c!) / sum_{k<=c} a^k / k!, with powl and
/// tgammal in long double (64-bit mantissa, exponent range to 1e4932, enough for c = 1000 and
/// a = 950 without scaling). Independent of the recursion used by the implementation.
long double erlang_b_direct(int c, long double a) {
  long double sum = 0.0L;
  for (int k = 0; k <= c; ++k)
    sum += std::pow(a, static_cast<long double>(k)) / std::tgamma(k + 1.0L);
  return std::pow(a, static_cast<long double>(c)) / std::tgamma(c + 1.0L) / sum;
}

/// Erlang C from the classical formula C = [a^c/c! * c/(c-a)] / [sum_{k<c} a^k/k! + a^c/c! *
/// c/(c-a)].
long double erlang_c_direct(int c, long double a) {
  long double sum = 0.0L;
  for (int k = 0; k < c; ++k)
    sum += std::pow(a, static_cast<long double>(k)) / std::tgamma(k + 1.0L);
  const long double top =
      std::pow(a, static_cast<long double>(c)) / std::tgamma(c + 1.0L) * c / (c - a);
  return top / (sum + top);
}

/// M/M/c/K stationary distribution from p_n proportional to a^n/n! (n <= c) and
/// a^c/c! rho^(n-c) (n > c), in long double, for small c and K.
std::vector<long double> mmck_direct(long double a, int c, int k) {
  std::vector<long double> p(k + 1);
  long double sum = 0.0L;
  for (int n = 0; n <= k; ++n) {
    p[n] = n <= c ? std::pow(a, static_cast<long double>(n)) / std::tgamma(n + 1.0L)
                  : std::pow(a, static_cast<long double>(c)) / std::tgamma(c + 1.0L) *
                        std::pow(a / c, static_cast<long double>(n - c));
    sum += p[n];
  }
  for (long double& x : p) x /= sum;
  return p;
}

/// Little's law and flow balance, which every result must satisfy: L = X W, Lq = X Wq,
/// L - Lq = X / mu (mean number in service), utilization = X / (c mu).
void check_identities(const StationMetrics& m, double service_rate, int servers) {
  CHECK(m.L == rel(m.throughput * m.W, 1e-12));
  if (m.Lq > 0.0) CHECK(m.Lq == rel(m.throughput * m.Wq, 1e-12));
  CHECK(m.L - m.Lq == rel(m.throughput / service_rate, 1e-10));
  CHECK(m.utilization == rel(m.throughput / (servers * service_rate), 1e-12));
  CHECK(m.throughput / m.arrival_rate + m.blocking == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(m.p_wait >= 0.0);
  CHECK(m.p_wait <= 1.0);
}

/// The M/M/c sojourn tail exactly as usually printed (e.g. Gross & Harris, M/M/c waiting-time
/// distribution), in long double:
///   P(T > t) = e^{-mu t} [1 + C mu / (c mu - lambda - mu) (1 - e^{-(c mu - lambda - mu) t})],
/// or e^{-mu t} (1 + C mu t) when c mu - lambda = mu.
long double mmc_sojourn_tail_reference(double lambda, double mu, int c, double t) {
  const long double cp = erlang_c_direct(c, static_cast<long double>(lambda) / mu);
  const long double d = static_cast<long double>(c) * mu - lambda - mu;
  const long double lt = t;
  if (d == 0.0L) return std::exp(-mu * lt) * (1.0L + cp * mu * lt);
  return std::exp(-mu * lt) * (1.0L + cp * mu / d * (1.0L - std::exp(-d * lt)));
}

/// E[X] = integral_0^1 Q(q) dq for a quantile function Q, with q = 1 - e^{-s} so that the
/// logarithmic growth of Q near q = 1 becomes linear growth against the weight e^{-s}.
/// Composite Simpson on s in [0, 30] (the remainder beyond 30 is below 1e-11 relative).
template <typename Quantile>
double mean_from_quantile(Quantile quantile) {
  constexpr int n = 6000;  // even
  constexpr double s_max = 30.0;
  const double h = s_max / n;
  double sum = 0.0;  // the s = 0 end contributes Q(0) = 0
  for (int i = 1; i <= n; ++i) {
    const double s = i * h;
    const double weight = (i == n) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
    sum += weight * quantile(-std::expm1(-s)) * std::exp(-s);
  }
  return sum * h / 3.0;
}

}  // namespace

TEST_SUITE("analytic") {
  // Worked examples with exact rational answers:
  //   B(1, 1) = 1/2, B(2, 1) = (1/2) / (1 + 1 + 1/2) = 1/5;
  //   B(5, 3) = 2.025 / 18.4 (five lines, 3 erlangs) and B(4, 2) = 2/21 (four modems, 2 erlangs):
  //   the two "Applications" examples of the ErlangB page of the Wolfram Language documentation
  //   (reference.wolfram.com/language/ref/ErlangB.html); B(6, 2) = 4/331 from the same page.
  TEST_CASE("Erlang B: exact small cases") {
    CHECK(erlang_b(1, 1.0) == rel(0.5, 1e-15));
    CHECK(erlang_b(2, 1.0) == rel(0.2, 1e-15));
    CHECK(erlang_b(5, 3.0) == rel(2.025 / 18.4, 1e-14));
    CHECK(erlang_b(4, 2.0) == rel(2.0 / 21.0, 1e-14));
    CHECK(erlang_b(6, 2.0) == rel(4.0 / 331.0, 1e-14));
    CHECK(erlang_b(3, 0.0) == 0.0);
  }

  // Erlang B traffic tables (blocking for N circuits and A erlangs, as printed in standard
  // telephone-traffic tables to 4-5 significant digits): B(10, 5) = 0.018384 (0.0183846 to 6
  // significant digits), B(20, 15) = 0.04559. Extra digits are checked against the direct
  // long-double factorial sum, an independent evaluation, and against mpmath at 40 digits:
  // 0.0183845703366481 and 0.0455932155898118.
  TEST_CASE("Erlang B: published table values") {
    CHECK(std::fabs(erlang_b(10, 5.0) - 0.018384) < 1e-6);
    CHECK(std::fabs(erlang_b(20, 15.0) - 0.04559) < 5e-6);
    CHECK(erlang_b(10, 5.0) == rel(0.0183845703366481, 1e-13));
    CHECK(erlang_b(20, 15.0) == rel(0.0455932155898118, 1e-13));
    for (int c : {1, 2, 3, 7, 10, 20, 50, 120}) {
      for (double a : {0.1, 0.9, 3.5, 10.0, 42.0, 150.0}) {
        CAPTURE(c);
        CAPTURE(a);
        const double direct = static_cast<double>(erlang_b_direct(c, a));
        if (direct < 1e-290) continue;  // subnormal in double: no relative precision left
        CHECK(erlang_b(c, a) == rel(direct, 1e-12));
      }
    }
  }

  // Erlang C: C(1, a) = a (M/M/1 waits with probability rho); C(2, 1) = 1/3; the c = 2 closed
  // form C = 2 rho^2 / (1 + rho) with rho = a/2 (obtained by summing the M/M/c stationary
  // distribution for c = 2, e.g. Gross & Harris, Fundamentals of Queueing Theory, M/M/c section);
  // C(3, 2) = 4/9.
  TEST_CASE("Erlang C: exact small cases and the classical formula") {
    CHECK(erlang_c(2, 1.0) == rel(1.0 / 3.0, 1e-15));
    CHECK(erlang_c(3, 2.0) == rel(4.0 / 9.0, 1e-14));
    for (double a : {0.05, 0.5, 0.99}) CHECK(erlang_c(1, a) == rel(a, 1e-14));
    for (double rho : {0.1, 0.5, 0.8, 0.999}) {
      CHECK(erlang_c(2, 2.0 * rho) == rel(2.0 * rho * rho / (1.0 + rho), 1e-13));
    }
    for (int c : {2, 5, 10, 40, 100}) {
      for (double load : {0.2, 0.7, 0.95}) {
        CAPTURE(c);
        CAPTURE(load);
        const double a = load * c;
        CHECK(erlang_c(c, a) == rel(static_cast<double>(erlang_c_direct(c, a)), 1e-12));
      }
    }
  }

  TEST_CASE("Erlang B and C are stable for 1000 servers") {
    // c = 1000, a = 950 erlangs: a^c/c! alone is ~1e410, beyond double. References: the
    // long-double direct sums above, and mpmath at 40 digits: B = 0.00364929368894241,
    // C = 0.0682534153771414.
    const double b = erlang_b(1000, 950.0);
    const double c = erlang_c(1000, 950.0);
    REQUIRE(std::isfinite(b));
    REQUIRE(std::isfinite(c));
    CHECK(b > 0.0);
    CHECK(c < 1.0);
    CHECK(b == rel(0.00364929368894241, 1e-12));
    CHECK(c == rel(0.0682534153771414, 1e-12));
    CHECK(b == rel(static_cast<double>(erlang_b_direct(1000, 950.0L)), 1e-11));
    CHECK(c == rel(static_cast<double>(erlang_c_direct(1000, 950.0L)), 1e-11));
    // Even larger systems stay finite and ordered (C >= B always).
    for (int servers : {5000, 20000}) {
      const double a = 0.97 * servers;
      CHECK(std::isfinite(erlang_b(servers, a)));
      CHECK(erlang_c(servers, a) >= erlang_b(servers, a));
      CHECK(erlang_c(servers, a) <= 1.0);
    }
    const StationMetrics m = mmc(950.0, 1.0, 1000);
    CHECK(m.p_wait == rel(0.0682534153771414, 1e-12));
    CHECK(m.Wq == rel(0.0682534153771414 / 50.0, 1e-12));
    check_identities(m, 1.0, 1000);
  }

  // M/M/1 textbook formulas (Kleinrock, Queueing Systems Vol. 1, sec. 3.2; Gross & Harris
  // sec. 2.2): with rho = 0.8 and mu = 1: L = rho/(1-rho) = 4, Lq = rho^2/(1-rho) = 3.2,
  // W = 1/(mu - lambda) = 5, Wq = rho/(mu - lambda) = 4.
  TEST_CASE("M/M/1 textbook values and equivalences") {
    const StationMetrics m = mm1(0.8, 1.0);
    CHECK(m.L == rel(4.0, 1e-14));
    CHECK(m.Lq == rel(3.2, 1e-14));
    CHECK(m.W == rel(5.0, 1e-14));
    CHECK(m.Wq == rel(4.0, 1e-14));
    CHECK(m.utilization == rel(0.8, 1e-15));
    CHECK(m.p_wait == rel(0.8, 1e-15));
    CHECK(m.blocking == 0.0);
    check_identities(m, 1.0, 1);

    for (double lambda : {0.01, 0.3, 0.9, 0.9999}) {
      CAPTURE(lambda);
      const double mu = 1.7;
      const StationMetrics a = mm1(lambda, mu);
      const StationMetrics b = mmc(lambda, mu, 1);
      const StationMetrics c = mg1(lambda, 1.0 / mu, 1.0);  // exponential service: scv = 1
      for (const StationMetrics* other : {&b, &c}) {
        CHECK(other->throughput == rel(a.throughput, 1e-14));
        CHECK(other->utilization == rel(a.utilization, 1e-12));
        CHECK(other->L == rel(a.L, 1e-12));
        CHECK(other->Lq == rel(a.Lq, 1e-12));
        CHECK(other->W == rel(a.W, 1e-12));
        CHECK(other->Wq == rel(a.Wq, 1e-12));
        CHECK(other->p_wait == rel(a.p_wait, 1e-12));
      }
    }
  }

  // M/M/2 with lambda = mu = 1 (rho = 1/2): C = 1/3, Lq = 2 rho^3/(1 - rho^2) = 1/3,
  // L = 2 rho/(1 - rho^2) = 4/3, Wq = 1/3, W = 4/3 (c = 2 closed forms, see Erlang C above).
  TEST_CASE("M/M/c textbook values") {
    const StationMetrics m = mmc(1.0, 1.0, 2);
    CHECK(m.p_wait == rel(1.0 / 3.0, 1e-14));
    CHECK(m.Lq == rel(1.0 / 3.0, 1e-14));
    CHECK(m.L == rel(4.0 / 3.0, 1e-14));
    CHECK(m.Wq == rel(1.0 / 3.0, 1e-14));
    CHECK(m.W == rel(4.0 / 3.0, 1e-14));
    CHECK(m.utilization == rel(0.5, 1e-15));
    for (double rho : {0.2, 0.75, 0.98}) {
      CAPTURE(rho);
      const StationMetrics two = mmc(2.0 * rho * 3.0, 3.0, 2);
      CHECK(two.L == rel(2.0 * rho / (1.0 - rho * rho), 1e-12));
      CHECK(two.Lq == rel(2.0 * rho * rho * rho / (1.0 - rho * rho), 1e-12));
    }
    for (int c : {1, 3, 8, 64, 500}) {
      for (double load : {0.1, 0.6, 0.99}) {
        CAPTURE(c);
        CAPTURE(load);
        const double mu = 0.25;
        const StationMetrics s = mmc(load * c * mu, mu, c);
        check_identities(s, mu, c);
        CHECK(s.utilization == rel(load, 1e-12));
        CHECK(s.L == rel(s.Lq + s.arrival_rate / mu, 1e-12));
      }
    }
  }

  // Pollaczek-Khinchine. M/D/1 (scv = 0) waits exactly half as long as M/M/1 (scv = 1);
  // M/D/1 Lq = rho^2 / (2 (1 - rho)) (Gross & Harris, M/G/1 section).
  TEST_CASE("M/G/1 Pollaczek-Khinchine") {
    for (double rho : {0.1, 0.5, 0.9, 0.999}) {
      CAPTURE(rho);
      const double mean = 0.02;
      const double lambda = rho / mean;
      const StationMetrics md1 = mg1(lambda, mean, 0.0);
      const StationMetrics mm = mm1(lambda, 1.0 / mean);
      CHECK(md1.Wq == rel(0.5 * mm.Wq, 1e-12));
      CHECK(md1.Lq == rel(rho * rho / (2.0 * (1.0 - rho)), 1e-12));
      CHECK(md1.p_wait == rel(rho, 1e-15));
      check_identities(md1, 1.0 / mean, 1);
      const StationMetrics h = mg1(lambda, mean, 4.0);  // scv 4: 5/2 of M/M/1's wait
      CHECK(h.Wq == rel(2.5 * mm.Wq, 1e-12));
      check_identities(h, 1.0 / mean, 1);
    }
    const StationMetrics heavy = mg1(0.5, 1.0, std::numeric_limits<double>::infinity());
    CHECK(std::isinf(heavy.Wq));
  }

  TEST_CASE("M/M/inf") {
    const StationMetrics m = mminf(12.0, 0.5);
    CHECK(m.L == rel(24.0, 1e-15));
    CHECK(m.W == rel(2.0, 1e-15));
    CHECK(m.Lq == 0.0);
    CHECK(m.Wq == 0.0);
    CHECK(m.p_wait == 0.0);
    CHECK(m.utilization == 0.0);  // documented: no finite server count
    CHECK(m.throughput == 12.0);
    CHECK(m.L == rel(m.throughput * m.W, 1e-15));
  }

  // M/M/1/K closed forms (Gross & Harris, M/M/1/K section), rho != 1:
  //   p_K = rho^K (1 - rho) / (1 - rho^{K+1}),
  //   L = rho / (1 - rho) - (K + 1) rho^{K+1} / (1 - rho^{K+1});
  // and for rho = 1: p_n = 1/(K+1), L = K/2.
  TEST_CASE("M/M/1/K closed forms") {
    for (double rho : {0.3, 0.9, 2.0, 7.5}) {
      for (int k : {1, 2, 5, 30}) {
        CAPTURE(rho);
        CAPTURE(k);
        const StationMetrics m = mmck(rho * 2.0, 2.0, 1, k);
        const double rk1 = std::pow(rho, k + 1);
        CHECK(m.blocking == rel(std::pow(rho, k) * (1.0 - rho) / (1.0 - rk1), 1e-12));
        CHECK(m.L == rel(rho / (1.0 - rho) - (k + 1) * rk1 / (1.0 - rk1), 1e-11));
        check_identities(m, 2.0, 1);
      }
    }
    const StationMetrics m = mmck(3.0, 3.0, 1, 9);
    CHECK(m.blocking == rel(0.1, 1e-14));
    CHECK(m.L == rel(4.5, 1e-14));
    CHECK(m.p_wait == rel(8.0 / 9.0, 1e-14));  // P(1 <= n <= 8) / P(n <= 8)
  }

  TEST_CASE("M/M/c/K against a direct long-double evaluation") {
    for (double a : {0.4, 2.5, 5.0, 12.0}) {
      for (int c : {1, 3, 6}) {
        for (int extra : {0, 1, 4, 11}) {
          const int k = c + extra;
          CAPTURE(a);
          CAPTURE(c);
          CAPTURE(k);
          const double mu = 1.5;
          const std::vector<long double> p = mmck_direct(a, c, k);
          long double l = 0.0L, lq = 0.0L, busy_open = 0.0L;
          for (int n = 0; n <= k; ++n) {
            l += n * p[n];
            if (n > c) lq += (n - c) * p[n];
            if (n >= c && n < k) busy_open += p[n];
          }
          const StationMetrics m = mmck(a * mu, mu, c, k);
          const double accepted = static_cast<double>(1.0L - p[k]);
          CHECK(m.blocking == rel(static_cast<double>(p[k]), 1e-12));
          CHECK(m.L == rel(static_cast<double>(l), 1e-12));
          if (k > c) CHECK(m.Lq == rel(static_cast<double>(lq), 1e-12));
          CHECK(m.throughput == rel(a * mu * accepted, 1e-12));
          CHECK(m.W == rel(static_cast<double>(l) / (a * mu * accepted), 1e-12));
          if (k > c) CHECK(m.p_wait == rel(static_cast<double>(busy_open) / accepted, 1e-12));
          check_identities(m, mu, c);
        }
      }
    }
  }

  TEST_CASE("M/M/c/c equals Erlang B - and M/M/c/K tends to M/M/c as K grows") {
    for (int c : {1, 2, 10, 100, 1000}) {
      for (double load : {0.3, 0.95, 1.0, 2.0}) {
        CAPTURE(c);
        CAPTURE(load);
        const double a = load * c;
        const StationMetrics m = mmcc(a * 0.1, 0.1, c);
        const double b = erlang_b(c, a);
        CHECK(m.blocking == rel(b, 1e-11));
        CHECK(m.L == rel(a * (1.0 - b), 1e-11));  // carried traffic
        CHECK(m.W == rel(10.0, 1e-11));           // no waiting: sojourn = service
        CHECK(m.Lq == 0.0);
        CHECK(m.p_wait == 0.0);
        check_identities(m, 0.1, c);
      }
    }
    for (int c : {1, 4, 1000}) {
      const double mu = 2.0;
      const double lambda = 0.9 * c * mu;
      const StationMetrics inf = mmc(lambda, mu, c);
      const StationMetrics big = mmck(lambda, mu, c, c + 20000);  // 0.9^20000 is negligible
      CAPTURE(c);
      CHECK(big.blocking < 1e-300);
      CHECK(big.L == rel(inf.L, 1e-10));
      CHECK(big.Lq == rel(inf.Lq, 1e-10));
      CHECK(big.W == rel(inf.W, 1e-10));
      CHECK(big.Wq == rel(inf.Wq, 1e-10));
      CHECK(big.p_wait == rel(inf.p_wait, 1e-10));
      CHECK(big.utilization == rel(inf.utilization, 1e-12));
    }
  }

  TEST_CASE("M/M/c/K is stable for large c - K and heavy overload") {
    // 1000 servers, 2000 places, offered load 1.5x capacity: a^K/(c! c^(K-c)) is ~1e3000.
    const StationMetrics m = mmck(1500.0, 1.0, 1000, 2000);
    REQUIRE(std::isfinite(m.L));
    CHECK(m.blocking == rel(1.0 / 3.0, 1e-9));  // overloaded: throughput -> c mu, p_K -> 1 - c/a
    CHECK(m.throughput == rel(1000.0, 1e-9));
    CHECK(m.utilization <= 1.0);
    check_identities(m, 1.0, 1000);
    // Extreme overload of a small station: nearly every arrival is blocked, throughput ~ c mu.
    const StationMetrics x = mmck(1e9, 1.0, 5, 10);
    CHECK(x.throughput == rel(5.0, 1e-6));
    CHECK(x.blocking > 0.999999);
    CHECK(x.L == rel(10.0, 1e-6));
    check_identities(x, 1.0, 5);
    // Very light load with a long buffer: everything but the first states underflows harmlessly.
    const StationMetrics light = mmck(1e-6, 1.0, 3, 100000);
    CHECK(light.L == rel(1e-6, 1e-5));
    CHECK(light.blocking == 0.0);
    check_identities(light, 1.0, 3);
  }

  TEST_CASE("M/M/1 and M/M/c waiting and sojourn quantiles") {
    // M/M/1: P(T > t) = e^{-(mu - lambda) t}; median = ln 2 / (mu - lambda).
    CHECK(mm1_sojourn_quantile(3.0, 4.0, 0.5) == rel(std::log(2.0), 1e-15));
    for (double q : {1e-9, 0.1, 0.5, 0.95, 0.999999}) {
      const double t = mm1_sojourn_quantile(0.7, 1.3, q);
      CHECK(std::exp(-0.6 * t) == rel(1.0 - q, 1e-12));
    }

    // M/M/c waiting time: P(Wq > t) = C e^{-(c mu - lambda) t}, atom 1 - C at zero.
    const double lambda = 7.0, mu = 1.0;
    const int c = 9;
    const double cp = erlang_c(c, lambda / mu);
    CHECK(mmc_wait_quantile(lambda, mu, c, 0.5 * (1.0 - cp)) == 0.0);
    CHECK(mmc_wait_quantile(lambda, mu, c, 1.0 - cp) == 0.0);
    for (double q : {1.0 - 0.9 * cp, 0.9, 0.99, 0.9999}) {
      const double t = mmc_wait_quantile(lambda, mu, c, q);
      CHECK(t > 0.0);
      CHECK(cp * std::exp(-(c * mu - lambda) * t) == rel(1.0 - q, 1e-12));
    }
  }

  TEST_CASE("M/M/c sojourn quantile inverts the closed-form tail") {
    struct Case {
      double lambda;
      double mu;
      int c;
    };
    // c mu - lambda - mu is positive, negative, large and small across these.
    const Case cases[] = {{0.5, 1.0, 1},  {0.95, 1.0, 1},   {1.5, 1.0, 2},
                          {0.4, 1.0, 2},  {7.0, 1.0, 9},    {8.8, 1.0, 9},
                          {2.0, 0.3, 10}, {95.0, 1.0, 100}, {950.0, 1.0, 1000}};
    for (const Case& k : cases) {
      for (double q : {0.01, 0.3, 0.5, 0.9, 0.99, 0.99999}) {
        CAPTURE(k.lambda);
        CAPTURE(k.c);
        CAPTURE(q);
        const double t = mmc_sojourn_quantile(k.lambda, k.mu, k.c, q);
        REQUIRE(t > 0.0);
        const long double tail = mmc_sojourn_tail_reference(k.lambda, k.mu, k.c, t);
        CHECK(static_cast<double>(tail) == rel(1.0 - q, 1e-11));
        // The sojourn quantile is at least the service quantile and the wait quantile.
        CHECK(t >= -std::log1p(-q) / k.mu * (1.0 - 1e-12));
        CHECK(t >= mmc_wait_quantile(k.lambda, k.mu, k.c, q));
      }
    }
  }

  TEST_CASE("M/M/c sojourn quantile: c = 1 and the removable singularity") {
    for (double lambda : {0.1, 0.5, 0.9}) {
      for (double q : {0.05, 0.5, 0.95, 0.9999}) {
        CAPTURE(lambda);
        CAPTURE(q);
        CHECK(mmc_sojourn_quantile(lambda, 2.0, 1, q) ==
              rel(mm1_sojourn_quantile(lambda, 2.0, q), 1e-12));
      }
    }
    // c mu - lambda = mu exactly (c = 2, lambda = mu = 1): P(T > t) = e^{-t} (1 + t/3).
    for (double q : {0.1, 0.5, 0.9, 0.999}) {
      CAPTURE(q);
      const double t = mmc_sojourn_quantile(1.0, 1.0, 2, q);
      CHECK(std::exp(-t) * (1.0 + t / 3.0) == rel(1.0 - q, 1e-12));
      // Continuity through the singularity, from both sides and very close to it.
      for (double eps : {1e-13, 1e-9, -1e-9, -1e-13}) {
        CAPTURE(eps);
        CHECK(mmc_sojourn_quantile(1.0 + eps, 1.0, 2, q) == rel(t, 1e-8));
      }
    }
  }

  TEST_CASE("quantile functions integrate to the mean") {
    // E[X] = integral of the quantile function over (0, 1): ties the quantile routines to the
    // mean-value results without reusing their formulas.
    const double lambda = 4.0, mu = 0.5;
    const int c = 10;
    const StationMetrics m = mmc(lambda, mu, c);
    CHECK(mean_from_quantile([&](double q) { return mmc_sojourn_quantile(lambda, mu, c, q); }) ==
          rel(m.W, 1e-8));
    // The wait quantile has a kink at q = 1 - C, so Simpson converges more slowly.
    CHECK(mean_from_quantile([&](double q) { return mmc_wait_quantile(lambda, mu, c, q); }) ==
          rel(m.Wq, 1e-5));
    CHECK(mean_from_quantile([](double q) { return mm1_sojourn_quantile(0.8, 1.0, q); }) ==
          rel(5.0, 1e-8));
  }

  TEST_CASE("invalid and unstable inputs throw") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(erlang_b(0, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(erlang_b(3, -1.0), std::invalid_argument);
    CHECK_THROWS_AS(erlang_b(3, nan), std::invalid_argument);
    CHECK_THROWS_AS(erlang_c(2, 2.0), std::domain_error);
    CHECK_THROWS_AS(erlang_c(0, 0.5), std::invalid_argument);

    CHECK_THROWS_AS(mm1(1.0, 1.0), std::domain_error);
    CHECK_THROWS_AS(mm1(0.0, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(mm1(1.0, -1.0), std::invalid_argument);
    CHECK_THROWS_AS(mmc(4.0, 1.0, 4), std::domain_error);
    CHECK_THROWS_AS(mmc(1.0, 0.0, 2), std::invalid_argument);
    CHECK_THROWS_AS(mmc(1.0, 1.0, 0), std::invalid_argument);
    CHECK_THROWS_AS(mmc(nan, 1.0, 2), std::invalid_argument);
    CHECK_THROWS_AS(mmck(1.0, 1.0, 3, 2), std::invalid_argument);
    CHECK_THROWS_AS(mmck(1.0, 1.0, 0, 5), std::invalid_argument);
    CHECK_THROWS_AS(mmck(-1.0, 1.0, 1, 5), std::invalid_argument);
    CHECK_THROWS_AS(mmcc(1.0, 1.0, 0), std::invalid_argument);
    CHECK_THROWS_AS(mminf(0.0, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(mminf(1.0, 0.0), std::invalid_argument);
    CHECK_THROWS_AS(mg1(1.0, 1.0, 0.5), std::domain_error);
    CHECK_THROWS_AS(mg1(0.5, 1.0, -0.1), std::invalid_argument);
    CHECK_THROWS_AS(mg1(0.5, 0.0, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(mg1(0.5, 1.0, nan), std::invalid_argument);

    CHECK_THROWS_AS(mm1_sojourn_quantile(0.5, 1.0, 0.0), std::invalid_argument);
    CHECK_THROWS_AS(mm1_sojourn_quantile(0.5, 1.0, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(mm1_sojourn_quantile(1.0, 1.0, 0.5), std::domain_error);
    CHECK_THROWS_AS(mmc_wait_quantile(1.0, 1.0, 2, 1.5), std::invalid_argument);
    CHECK_THROWS_AS(mmc_wait_quantile(3.0, 1.0, 2, 0.5), std::domain_error);
    CHECK_THROWS_AS(mmc_sojourn_quantile(1.0, 1.0, 2, nan), std::invalid_argument);
    CHECK_THROWS_AS(mmc_sojourn_quantile(2.0, 1.0, 2, 0.5), std::domain_error);
    CHECK_THROWS_AS(mmc_sojourn_quantile(1.0, 1.0, 0, 0.5), std::invalid_argument);
    // Finite capacity never needs stability: any positive load is accepted.
    CHECK_NOTHROW(mmck(100.0, 1.0, 2, 4));
  }
}
