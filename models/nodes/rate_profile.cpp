#include "models/nodes/rate_profile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace capsim::models {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kMaxTime = limits::kMaxSeconds;
constexpr double kMaxRate = limits::kMaxRate;

// The integral of rate + slope u over u in [0, length].
double area(const RateProfile::Segment& segment, double length) {
  return length * (segment.rate + 0.5 * segment.slope * length);
}

}  // namespace

RateProfile::RateProfile(Shape shape, const std::vector<Point>& points,
                         std::optional<double> period)
    : shape_(shape), period_(period) {
  assert(!points.empty() && points.front().time == 0);
  for (std::size_t i = 0; i < points.size(); ++i) {
    Segment segment;
    segment.start = points[i].time;
    segment.rate = points[i].rate;
    const bool last = i + 1 == points.size();
    segment.end = !last ? points[i + 1].time : period ? *period : kInfinity;
    if (!(segment.end > segment.start)) continue;  // a last point exactly at the period
    if (!last && shape == Shape::piecewise_linear) {
      segment.slope = (points[i + 1].rate - points[i].rate) / (segment.end - segment.start);
    }
    segment.bound = !last && shape == Shape::piecewise_linear
                        ? std::max(points[i].rate, points[i + 1].rate)
                        : points[i].rate;
    segment.before = segments_.empty()
                         ? 0
                         : segments_.back().before +
                               area(segments_.back(), segment.start - segments_.back().start);
    segments_.push_back(segment);
  }
  if (period_) per_period_ = cumulative_within(*period_);
}

double RateProfile::cumulative_within(double time) const {
  const Segment& segment = segments_[segment_at(time)];
  return segment.before + area(segment, std::min(time, segment.end) - segment.start);
}

std::size_t RateProfile::segment_at(double time) const {
  // The last segment whose start is <= time.
  const auto after = std::upper_bound(segments_.begin(), segments_.end(), time,
                                      [](double t, const Segment& s) { return t < s.start; });
  return static_cast<std::size_t>(after - segments_.begin()) - 1;
}

double RateProfile::rate(double time) const {
  if (period_) time -= std::floor(time / *period_) * *period_;
  const Segment& segment = segments_[segment_at(time)];
  return segment.rate + segment.slope * (time - segment.start);
}

double RateProfile::cumulative(double time) const {
  if (!period_) return cumulative_within(time);
  const double cycles = std::floor(time / *period_);
  return cycles * per_period_ + cumulative_within(time - cycles * *period_);
}

double RateProfile::integral(double from, double to) const {
  assert(0 <= from && from <= to);
  return cumulative(to) - cumulative(from);
}

double RateProfile::long_run_rate() const {
  return period_ ? per_period_ / *period_ : segments_.back().rate;
}

double ProfileArrivals::next(sim::Rng& rng) {
  const auto& segments = profile_.segments();
  const std::optional<double> period = profile_.period();
  for (;;) {
    const RateProfile::Segment& segment = segments[segment_];
    const double offset = period ? static_cast<double>(cycle_) * *period : 0;
    const double end = offset + segment.end;
    if (segment.bound > 0) {
      time_ += -std::log(rng.uniform_open()) / segment.bound;
      if (time_ < end) {
        // A constant segment keeps every candidate: its rate is its bound.
        if (segment.slope == 0) return time_;
        const double rate = segment.rate + segment.slope * (time_ - offset - segment.start);
        if (rng.uniform_open() * segment.bound <= rate) return time_;
        continue;
      }
    }
    if (end == kInfinity) return kInfinity;  // rate 0 for ever after
    time_ = end;
    if (++segment_ == segments.size()) {
      segment_ = 0;
      ++cycle_;
    }
  }
}

RateProfile read_rate_profile(const Json& value, const Where& where) {
  require_object(value, where,
                 "a rate profile such as {\"shape\": \"piecewise_constant\", \"points\": [[0, 10], "
                 "[60, 50]]}");
  check_keys(value, where, {"shape", "points", "repeat"});

  const std::vector<std::string> shapes = {"piecewise_constant", "piecewise_linear"};
  const std::string shape_name = read_string(value, "shape", where);
  if (std::find(shapes.begin(), shapes.end(), shape_name) == shapes.end()) {
    std::string expected = "a profile shape: " + one_of(shapes);
    if (auto guess = did_you_mean(shape_name, shapes)) {
      expected += fmt::format(" (did you mean \"{}\"?)", *guess);
    }
    (where / "shape").fail_value(value["shape"], expected);
  }
  const auto shape = shape_name == shapes[0] ? RateProfile::Shape::piecewise_constant
                                             : RateProfile::Shape::piecewise_linear;

  const Where points_at = where / "points";
  const char* points_form = "a non-empty array of [time, rate] pairs starting at time 0";
  const auto it = value.find("points");
  if (it == value.end()) where.fail("no key \"points\"", points_form);
  if (!it->is_array() || it->empty()) points_at.fail_value(*it, points_form);
  std::vector<RateProfile::Point> points;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& pair = (*it)[i];
    const Where at = points_at / i;
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number() || !pair[1].is_number()) {
      at.fail_value(pair, "a [time, rate] pair of numbers");
    }
    const double time = pair[0].get<double>();
    const double rate = pair[1].get<double>();
    if (i == 0 && time != 0) (at / 0).fail_value(pair[0], "0 (a profile starts at time 0)");
    if (i > 0 && !(time > points.back().time && time <= kMaxTime)) {
      (at / 0).fail_value(pair[0], fmt::format("a time in ({:.7g}, {:.7g}] (times strictly "
                                               "increasing, s)",
                                               points.back().time, kMaxTime));
    }
    if (!(rate >= 0 && rate <= kMaxRate)) {
      (at / 1).fail_value(pair[1],
                          fmt::format("a rate in [0, {:.7g}] (requests per second)", kMaxRate));
    }
    points.push_back({time, rate});
  }

  const auto period = read_optional_number(value, "repeat", where, Range{0, false, kMaxTime, true});
  if (period && *period < points.back().time) {
    (where / "repeat")
        .fail_value(value["repeat"], fmt::format("a period >= {:.7g} (the last point's time, s)",
                                                 points.back().time));
  }
  RateProfile profile(shape, points, period);
  // Without any rate over a stretch of time the source would never send anything.
  const double horizon = period ? *period : points.back().time;
  if (!(profile.integral(0, horizon) > 0) && !(!period && points.back().rate > 0)) {
    points_at.fail("a rate of 0 at all times", period ? "a rate > 0 over some part of the period"
                                                      : "a rate > 0 over some stretch of time");
  }
  return profile;
}

}  // namespace capsim::models
