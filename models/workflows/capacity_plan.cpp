#include "models/workflows/capacity_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "models/io/text_format.hpp"
#include "models/theory/network_theory.hpp"

namespace capsim::models {

namespace {

constexpr std::int64_t kMaxTheoryScan = 10'000;

bool all_met(const std::vector<SloOutcome>& outcomes) {
  return std::all_of(outcomes.begin(), outcomes.end(),
                     [](const SloOutcome& o) { return o.verdict == Verdict::met; });
}

// Whether the closed forms say every SLO holds with `overrides`; nullopt when some SLO metric
// has no closed form there.
std::optional<bool> theory_meets(const Json& document, const std::string& file,
                                 const std::vector<Override>& overrides) {
  Json candidate = document;
  apply_overrides(candidate, overrides);
  const Scenario scenario = parse_scenario(candidate, file);
  if (scenario.slos.empty()) return std::nullopt;
  const auto theory = closed_forms(scenario);
  for (const Slo& slo : scenario.slos) {
    const auto it = theory.find({slo.node_index, slo.metric});
    if (it == theory.end()) return std::nullopt;
    if (slo.is_max ? it->second > slo.threshold : it->second < slo.threshold) return false;
  }
  return true;
}

// Runs candidates once each and remembers them in the report.
class Prober {
 public:
  Prober(SearchReport& report, const Evaluate& evaluate) : report_(report), evaluate_(evaluate) {}
  bool met(double value, const std::vector<Override>& overrides) {
    if (const auto it = seen_.find(value); it != seen_.end()) return report_.probes[it->second].met;
    Probe probe;
    probe.value = value;
    probe.outcomes = evaluate_(overrides);
    probe.met = all_met(probe.outcomes);
    seen_[value] = report_.probes.size();
    report_.probes.push_back(std::move(probe));
    return report_.probes.back().met;
  }
  const Probe& probe(double value) const { return report_.probes[seen_.at(value)]; }

 private:
  SearchReport& report_;
  const Evaluate& evaluate_;
  std::map<double, std::size_t> seen_;
};

std::vector<Override> with(const std::vector<Override>& overrides, Override extra) {
  std::vector<Override> all = overrides;
  all.push_back(std::move(extra));
  return all;
}

// The load at one path of the scenario, scaled by a factor: more load means a higher rate, or a
// shorter mean time between arrivals.
struct LoadScale {
  const std::vector<Override>& overrides;
  std::string path;
  Override target;
  double value;  // the scenario's own
  bool is_mean;

  // The overrides that scale the load by `factor`.
  std::vector<Override> at(double factor) const {
    Override o = target;
    o.value = is_mean ? value / factor : value * factor;
    o.text = fmt::format("{}={}", path, o.value.dump());
    return with(overrides, o);
  }
};

LoadScale load_scale(const Json& base, const std::vector<Override>& overrides,
                     const std::string& path) {
  const Override target = resolve_override(base, path + "=0");
  const Json::json_pointer pointer(target.pointer);
  if (!base.contains(pointer) || !base[pointer].is_number() || !(base[pointer].get<double>() > 0)) {
    throw InputError(
        fmt::format("--scale {}: found {}, expected a path to a positive number (a "
                    "rate or a mean time between arrivals)",
                    path, base.contains(pointer) ? describe(base[pointer]) : "nothing"));
  }
  return {overrides, path, target, base[pointer].get<double>(), target.pointer.ends_with("/mean")};
}

// The closed forms' largest load factor, by bisection on the formulas (no simulation); nullopt
// where some SLO has no closed form.
std::optional<double> theory_headroom(const Json& document, const std::string& file,
                                      const LoadScale& load, double precision, double max_factor) {
  if (!theory_meets(document, file, load.at(1)).has_value()) return std::nullopt;
  double lo = 0, hi = max_factor;
  for (int i = 0; i < 60 && hi - lo > precision * hi / 4; ++i) {
    const double mid = (lo + hi) / 2;
    const auto meets = theory_meets(document, file, load.at(mid));
    if (meets && *meets)
      lo = mid;
    else
      hi = mid;
  }
  if (lo > 0) return lo;
  return std::nullopt;
}

// The largest load factor known to meet every SLO and the smallest known to miss one (0: none).
struct Bracket {
  double good = 0;
  double bad = 0;
};

// Gallops from `start` by steps of 1.25: up while every SLO is met (to `max_factor`), down while
// one is missed (to `precision`).
Bracket bracket_headroom(const std::function<bool(double)>& met, double start, double precision,
                         double max_factor) {
  Bracket bracket;
  if (met(start)) {
    bracket.good = start;
    for (double f = start * 1.25; f <= max_factor; f *= 1.25) {
      if (!met(f)) {
        bracket.bad = f;
        break;
      }
      bracket.good = f;
    }
  } else {
    bracket.bad = start;
    for (double f = start / 1.25; f >= precision; f /= 1.25) {
      if (met(f)) {
        bracket.good = f;
        break;
      }
      bracket.bad = f;
    }
  }
  return bracket;
}

}  // namespace

SearchReport plan_capacity(const Json& document, const std::string& file,
                           const std::vector<Override>& overrides, const std::string& path,
                           std::int64_t low, std::int64_t high, const Evaluate& evaluate) {
  SearchReport report;
  report.path = path;
  Json base = document;
  apply_overrides(base, overrides);
  auto at = [&](std::int64_t value) {
    return with(overrides, resolve_override(base, fmt::format("{}={}", path, value)));
  };

  // The closed form, where every SLO has one, points at the answer so that usually two
  // simulations confirm it instead of a bisection.
  if (high - low <= kMaxTheoryScan) {
    for (std::int64_t v = low; v <= high; ++v) {
      // No closed form at v (e.g. an unstable station) counts as not meeting the SLOs.
      const auto meets = theory_meets(document, file, at(v));
      if (meets && *meets) {
        report.theory = static_cast<double>(v);
        break;
      }
    }
  }

  Prober prober(report, evaluate);
  auto met = [&](std::int64_t v) { return prober.met(static_cast<double>(v), at(v)); };
  std::int64_t lo = low, hi = high;  // the answer, if any, is in [lo, hi]
  if (report.theory) {
    // Gallop away from the closed form's guess: simulation usually confirms it, or differs by
    // a step or two, so this takes a few runs where a bisection would take log2(range).
    const auto guess = static_cast<std::int64_t>(*report.theory);
    if (met(guess)) {
      hi = guess;
      for (std::int64_t step = 1; hi > low; step *= 2) {
        const std::int64_t below = std::max(low, hi - step);
        if (!met(below)) {
          lo = below + 1;
          break;
        }
        hi = below;
      }
      if (hi == low) lo = low;
    } else {
      lo = guess + 1;
      for (std::int64_t step = 1; lo <= high; step *= 2) {
        const std::int64_t above = std::min(high, guess + step);
        if (met(above)) {
          hi = above;
          break;
        }
        lo = above + 1;
      }
    }
  }
  if (lo > high || !met(hi)) {
    report.explanation =
        fmt::format("no value in [{}, {}] meets every SLO with 95% confidence", low, high);
    return report;
  }
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (met(mid))
      hi = mid;
    else
      lo = mid + 1;
  }
  report.answer = prober.probe(static_cast<double>(hi));
  report.explanation = fmt::format(
      "{} = {} is the smallest value meeting every SLO with 95% confidence ({} simulated); "
      "{}",
      path, hi,
      report.probes.size() == 1 ? "1 candidate"
                                : fmt::format("{} candidates", report.probes.size()),
      hi == low ? "it is the lower end of the search range"
                : fmt::format("{} = {} does not (or was excluded by the bisection)", path, hi - 1));
  return report;
}

SearchReport find_headroom(const Json& document, const std::string& file,
                           const std::vector<Override>& overrides, const std::string& path,
                           double precision, double max_factor, const Evaluate& evaluate) {
  SearchReport report;
  report.path = path;
  Json base = document;
  apply_overrides(base, overrides);
  const LoadScale load = load_scale(base, overrides, path);
  report.theory = theory_headroom(document, file, load, precision, max_factor);

  Prober prober(report, evaluate);
  auto met = [&](double f) { return prober.met(f, load.at(f)); };
  auto [good, bad] =
      bracket_headroom(met, report.theory ? *report.theory : 1.0, precision, max_factor);
  if (bad == 0) {
    report.answer = prober.probe(good);
    report.explanation = fmt::format(
        "every SLO is still met at {} times the load (the search limit)", format_number(good));
    return report;
  }
  if (good == 0) {
    report.explanation = "no load factor tried meets every SLO with 95% confidence";
    return report;
  }
  while ((bad - good) / good > precision) {
    const double mid = (good + bad) / 2;
    if (met(mid))
      good = mid;
    else
      bad = mid;
  }
  report.answer = prober.probe(good);
  report.explanation = fmt::format(
      "the SLOs hold up to {} times the scenario's load ({} = {}), and fail at {} times",
      format_number(good), path, format_number(load.at(good).back().value.get<double>(), 6),
      format_number(bad));
  return report;
}

std::string format_search(const SearchReport& report, const char* what) {
  std::string out;
  TextTable probes({what, "replications", "verdict", "objectives"});
  for (const Probe& probe : report.probes) {
    std::string detail;
    for (const auto& o : probe.outcomes) {
      if (!detail.empty()) detail += "; ";
      detail += fmt::format("{} {} {}", o.slo.metric, format_estimate(o.estimate),
                            verdict_name(o.verdict));
    }
    // Every SLO's estimate is over the probe's replications (--precision may vary them).
    const std::size_t replications =
        probe.outcomes.empty() ? 0 : probe.outcomes.front().estimate.replications;
    probes.add({format_number(probe.value, 6), std::to_string(replications),
                probe.met ? "meets SLOs" : "misses", detail});
  }
  out += probes.render();
  if (report.theory) {
    out += fmt::format("\nclosed form: {}\n", format_number(*report.theory, 6));
  } else {
    out += "\nclosed form: none (not every SLO metric has one here)\n";
  }
  out += "\n" + report.explanation + "\n";
  if (report.answer) {
    out += "\n" + format_slo_table(report.answer->outcomes);
  }
  return out;
}

}  // namespace capsim::models
