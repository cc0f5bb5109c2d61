#include "sim/student_t.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

namespace capsim::sim {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
/// Slightly below ln(DBL_MAX), so that exp(kLogMax) is finite.
const double kLogMax = std::log(std::numeric_limits<double>::max()) - 1e-9;
/// Largest change of ln t per Newton step while the root is bracketed on one side only.
constexpr double kMaxStep = 5.0;

std::string num(double x) {
  char buffer[32];  // %g, unlike std::to_string, shows tiny and huge values faithfully
  std::snprintf(buffer, sizeof buffer, "%g", x);
  return buffer;
}

void require_probability(double p, const char* function) {
  if (!(p > 0.0 && p < 1.0)) {  // also rejects NaN
    throw std::invalid_argument(std::string(function) + ": probability must be in (0, 1), got " +
                                num(p));
  }
}

void require_df(double df, const char* function) {
  if (!(df > 0.0)) {
    throw std::invalid_argument(std::string(function) + ": degrees of freedom must be > 0, got " +
                                num(df));
  }
}

/// Acklam's rational approximation of the lower-tail normal quantile, p <= 0.5 (relative error
/// about 1.15e-9 before refinement).
double acklam_lower(double p) {
  static constexpr std::array<double, 6> a = {-3.969683028665376e+01, 2.209460984245205e+02,
                                              -2.759285104469687e+02, 1.383577518672690e+02,
                                              -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr std::array<double, 5> b = {-5.447609879822406e+01, 1.615858368580409e+02,
                                              -1.556989798598866e+02, 6.680131188771972e+01,
                                              -1.328068155288572e+01};
  static constexpr std::array<double, 6> c = {-7.784894002430293e-03, -3.223964580411365e-01,
                                              -2.400758277161838e+00, -2.549671010624455e+00,
                                              4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr std::array<double, 4> d = {7.784695709041462e-03, 3.224671290700398e-01,
                                              2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double p_low = 0.02425;
  if (p < p_low) {
    const double q = std::sqrt(-2.0 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

/// Remainder of Stirling's series, lgamma(x) - [(x - 1/2) ln x - x + ln(2 pi)/2], for x >= 30
/// (the first omitted term, 1/(1188 x^9), is below 1e-16 there).
double stirling_remainder(double x) {
  const double r = 1.0 / x;
  const double r2 = r * r;
  return r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 / 1680.0)));
}

/// ln B(a, b). When one argument is large, lgamma(a) + lgamma(b) - lgamma(a + b) cancels
/// catastrophically (df = 1e6 would lose ~9 digits), so the difference of the two large
/// log-gammas is taken analytically from Stirling's series instead.
double log_beta(double a, double b) {
  const double small = std::min(a, b);
  const double big = std::max(a, b);
  if (big < 30.0) return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  const double sum = big + small;
  const double diff = -(big - 0.5) * std::log1p(small / big) - small * std::log(sum) + small +
                      stirling_remainder(big) - stirling_remainder(sum);
  return std::lgamma(small) + diff;  // diff = lgamma(big) - lgamma(big + small)
}

/// Continued fraction for the regularized incomplete beta function, evaluated by the modified
/// Lentz method (Numerical Recipes, 3rd ed., section 6.4). Converges quickly for
/// x < (a + 1) / (a + b + 2).
double beta_continued_fraction(double a, double b, double x) {
  constexpr double tiny = 1e-300;
  constexpr double eps = 1e-16;
  constexpr int max_iterations = 100000;
  const double qab = a + b;
  const double qap = a + 1.0;
  const double qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (std::fabs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= max_iterations; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < eps) return h;
  }
  return h;  // not reached for the (a, b) used here; the last iterate is still very close
}

/// I_x(a, b) and its complement 1 - I_x(a, b) = I_y(b, a), each computed without cancellation.
/// y = 1 - x, ln x and ln y are passed in because callers can form them more accurately than
/// by subtraction (and x may underflow while ln x is still finite).
struct BetaPair {
  double value;
  double complement;
};

BetaPair regularized_incomplete_beta(double a, double b, double x, double y, double log_x,
                                     double log_y) {
  if (log_x == -kInf) return {0.0, 1.0};
  if (log_y == -kInf) return {1.0, 0.0};
  // x^a y^b / B(a, b), shared by both orientations of the continued fraction.
  const double front = std::exp(a * log_x + b * log_y - log_beta(a, b));
  if (x < (a + 1.0) / (a + b + 2.0)) {
    const double v = front * beta_continued_fraction(a, b, x) / a;
    return {v, 1.0 - v};
  }
  const double w = front * beta_continued_fraction(b, a, y) / b;
  return {1.0 - w, w};
}

double normal_upper_tail(double z) {
  return 0.5 * std::erfc(z / std::numbers::sqrt2);
}

/// From this many degrees of freedom on, the tail comes from Hill's normalizing transformation
/// instead of the continued fraction. The continued fraction loses about df * 1e-16 relative
/// accuracy for large df (its first terms cancel), while for df >= 1e4 Hill's transformation is
/// accurate to about 1e-16 relative for |t| <= 8 and 1e-13 for |t| <= 30 (checked against
/// 40-digit mpmath); its error falls like df^-5.
constexpr double kHillMinDf = 1e4;

/// Upper tail P(T > t) and central mass P(0 < T < t) for t >= 0, each accurate in relative
/// terms (tail + central = 1/2), and the density f(t).
struct TailEval {
  double tail;
  double central;
  double density;
};

TailEval student_t_tail(double t, double df) {
  // x = df / (df + t^2), y = 1 - x and their logarithms, formed from whichever of t^2/df and
  // df/t^2 is below one so that nothing overflows and neither x nor y suffers cancellation.
  double x;
  double y;
  double log_x;
  double log_y;
  const double r = t / std::sqrt(df);
  if (r <= 1.0) {
    const double s = r * r;  // t^2 / df
    x = 1.0 / (1.0 + s);
    y = s / (1.0 + s);
    log_x = -std::log1p(s);
    log_y = 2.0 * std::log(r) - std::log1p(s);
  } else {
    const double s = 1.0 / r / r;  // df / t^2 (may underflow; the logs stay exact)
    x = s / (1.0 + s);
    y = 1.0 / (1.0 + s);
    log_x = -2.0 * (std::log(t) - 0.5 * std::log(df)) - std::log1p(s);  // r may overflow
    log_y = -std::log1p(s);
  }
  const double a = 0.5 * df;
  // f(t) = (1 + t^2/df)^(-(df+1)/2) / (sqrt(df) B(df/2, 1/2)), and 1 + t^2/df = 1/x.
  const double density = std::exp((a + 0.5) * log_x - 0.5 * std::log(df) - log_beta(a, 0.5));
  if (df >= kHillMinDf) {
    // Hill (1970), CACM Algorithm 395: z is (nearly) standard normal, P(T > t) = P(Z > z).
    const double h = df - 0.5;
    const double b = 48.0 * h * h;
    // w = h ln(1 + t^2/df); for tiny t^2/df (huge df) avoid the subnormal ratio.
    const double w = (r < 1e-100) ? (t * t) * (h / df) : -h * log_x;
    // z ~ sqrt(w) > 1000 here: the tail underflows, and the rational term below would overflow.
    if (w > 1e6) return {0.0, 0.5, density};
    const double z =
        ((((-0.4 * w - 3.3) * w - 24.0) * w - 85.5) / (0.8 * w * w + 100.0 + b) + w + 3.0) / b +
        1.0;
    const double zt = z * std::sqrt(w);
    return {normal_upper_tail(zt), 0.5 * std::erf(zt / std::numbers::sqrt2), density};
  }
  // P(|T| > t) = I_x(df/2, 1/2).
  const BetaPair ib = regularized_incomplete_beta(a, 0.5, x, y, log_x, log_y);
  return {0.5 * ib.value, 0.5 * ib.complement, density};
}

/// Positive t with P(T > t) = tail, 0 < tail < 1/2. Newton's method on the logarithm of the
/// smaller of P(T > t) and P(0 < T < t) as a function of u = ln t: the log-tail is close to
/// linear in u for heavy tails (small df) and smooth for light ones, so few iterations are
/// needed from a rough start. Near the median the central mass is used instead, because
/// 1/2 - tail (exact in floating point there) determines t to full relative accuracy while the
/// tail itself does not. A bracket on u is kept so that a poor Newton step falls back to
/// bisection.
double student_t_upper_quantile(double tail, double df) {
  const double z = -normal_quantile(tail);
  // Starting point: the Cornish-Fisher expansion (A&S 26.7.5), good for moderate tails, or the
  // power-law tail P(T > t) ~ df^(df/2 - 1) t^(-df) / B(df/2, 1/2), good for far tails of small
  // df, whichever matches the target better.
  const double z2 = z * z;
  const double g1 = (z2 + 1.0) * z / 4.0;
  const double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
  const double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
  const double g4 =
      ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
  const double cornish_fisher = z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
  const double log_power_law =
      0.5 * std::log(df) - (std::log(df) + log_beta(0.5 * df, 0.5) + std::log(tail)) / df;

  const bool use_central = tail > 0.25;
  const double target = use_central ? 0.5 - tail : tail;  // both exact
  const double log_target = std::log(target);
  auto value_at = [&](double t) {
    const TailEval e = student_t_tail(t, df);
    return use_central ? e.central : e.tail;
  };
  auto misfit = [&](double log_t) {
    const double v = value_at(std::exp(log_t));
    return v > 0.0 ? std::fabs(std::log(v) - log_target) : kInf;
  };
  double u = cornish_fisher > 0.0 ? std::log(cornish_fisher) : std::log(z);
  if (std::isfinite(log_power_law) && log_power_law < kLogMax &&
      misfit(log_power_law) < misfit(u)) {
    u = log_power_law;
  }

  double lo = -kInf;
  double hi = kInf;
  for (int iteration = 0; iteration < 300; ++iteration) {
    const double t = std::exp(u);
    const TailEval e = student_t_tail(t, df);
    const double value = use_central ? e.central : e.tail;
    if (value == target) return t;
    // The tail decreases and the central mass increases with t.
    if ((value > target) != use_central) {
      lo = u;
      if (u >= kLogMax) return kInf;  // the quantile exceeds the largest double
    } else {
      hi = u;
    }
    double next = kInf;  // no usable derivative if the value underflowed
    if (value > 0.0 && e.density > 0.0) {
      // d ln(value) / du = -+ f(t) t / value.
      const double step = (std::log(value) - log_target) * value / (e.density * t);
      next = use_central ? u - step : u + step;
    }
    if (!(next > lo && next < hi)) {
      if (std::isfinite(lo) && std::isfinite(hi)) {
        next = 0.5 * (lo + hi);
      } else {
        next = std::isfinite(lo) ? lo + kMaxStep : hi - kMaxStep;
      }
    }
    // Without a two-sided bracket, move by at most a factor e^kMaxStep.
    next = std::clamp(next, u - kMaxStep, u + kMaxStep);
    next = std::min(next, kLogMax);
    if (std::fabs(next - u) <= 1e-15 * std::max(1.0, std::fabs(u)) || hi - lo <= 1e-15) {
      return std::exp(next);
    }
    u = next;
  }
  return std::exp(u);
}

}  // namespace

double normal_quantile(double p) {
  require_probability(p, "normal_quantile");
  if (p > 0.5) return -normal_quantile(1.0 - p);  // 1 - p is exact for p in [1/2, 1)
  if (p == 0.5) return 0.0;
  double x = acklam_lower(p);
  // One Halley step on Phi(x) = p (Acklam), using erfc so that the lower tail keeps full
  // relative accuracy; brings the error to about machine precision.
  const double e = normal_upper_tail(-x) - p;
  const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(0.5 * x * x);
  x -= u / (1.0 + 0.5 * x * u);
  return x;
}

double student_t_cdf(double t, double df) {
  require_df(df, "student_t_cdf");
  if (std::isnan(t)) return t;
  if (std::isinf(df)) return normal_upper_tail(-t);
  if (t == kInf) return 1.0;
  if (t == -kInf) return 0.0;
  const TailEval e = student_t_tail(std::fabs(t), df);
  return t < 0.0 ? e.tail : 0.5 + e.central;
}

double student_t_quantile(double p, double df) {
  require_probability(p, "student_t_quantile");
  require_df(df, "student_t_quantile");
  if (p == 0.5) return 0.0;
  if (std::isinf(df)) return normal_quantile(p);
  // Solve in the smaller tail so that tiny tail probabilities keep their relative accuracy.
  if (p < 0.5) return -student_t_upper_quantile(p, df);
  return student_t_upper_quantile(1.0 - p, df);
}

}  // namespace capsim::sim
