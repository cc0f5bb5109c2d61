#include "models/nodes/rate_limiter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>

#include "models/nodes/network.hpp"

namespace capsim::models {

namespace {

constexpr std::uint32_t kLeft = 0;  // the head of the leaky queue has left
constexpr double kMaxCount = 1e9;
// The sliding log keeps one time stamp per admission in the window.
constexpr double kMaxLogLimit = 1e6;
constexpr double kMaxTime = 1e9;
constexpr double kMaxRate = 1e9;

using A = LimiterAlgorithm;

bool uses_windows(LimiterAlgorithm algorithm) {
  return algorithm == A::fixed_window || algorithm == A::sliding_window_log ||
         algorithm == A::sliding_window_counter;
}

}  // namespace

const std::vector<std::string>& limiter_algorithm_names() {
  static const std::vector<std::string> names = {"fixed_window",           "sliding_window_log",
                                                 "sliding_window_counter", "token_bucket",
                                                 "leaky_bucket_meter",     "leaky_bucket_queue"};
  return names;
}

// ---------------------------------------------------------------------------------------------
// AdmissionMeter

AdmissionMeter::AdmissionMeter(const LimiterConfig& config) : config_(config) {
  assert(config.algorithm != A::leaky_bucket_queue);
  if (config.algorithm == A::sliding_window_log) {
    admitted_at_.reserve(static_cast<std::size_t>(config.limit));
  }
  if (config.algorithm == A::token_bucket) level_ = config.burst;  // starts full
}

double AdmissionMeter::window_index(double now) const {
  return std::floor(now / config_.window + kLimiterBoundarySlack);
}

double AdmissionMeter::ticks_until(double now) const {
  return std::floor(now * config_.rate + kLimiterBoundarySlack);
}

bool AdmissionMeter::admit(double now) {
  switch (config_.algorithm) {
    case A::fixed_window:
      return admit_fixed_window(now);
    case A::sliding_window_log:
      return admit_sliding_log(now);
    case A::sliding_window_counter:
      return admit_sliding_counter(now);
    case A::token_bucket:
      return admit_token_bucket(now);
    case A::leaky_bucket_meter:
      return admit_leaky_meter(now);
    case A::leaky_bucket_queue:
      break;
  }
  assert(false && "the leaky queue is not a meter");
  return false;
}

bool AdmissionMeter::admit_fixed_window(double now) {
  // Windows are numbered from t = 0, not from the end of the warm-up, so that they stay where
  // the theory puts them.
  const double window = window_index(now);
  if (window != current_window_) {
    current_window_ = window;
    current_count_ = 0;
  }
  if (current_count_ >= config_.limit) return false;
  ++current_count_;
  return true;
}

bool AdmissionMeter::admit_sliding_log(double now) {
  // Until `limit` requests have been admitted there is room. Then the oldest of the last `limit`
  // admissions must have left the window (t - T, t]; the new time replaces it in the ring.
  const auto limit = static_cast<std::size_t>(config_.limit);
  if (admitted_at_.size() < limit) {
    admitted_at_.push_back(now);  // within the reserved capacity: no allocation
    return true;
  }
  if (now - admitted_at_[oldest_] < config_.window * (1 - kLimiterBoundarySlack)) return false;
  admitted_at_[oldest_] = now;
  oldest_ = oldest_ + 1 == limit ? 0 : oldest_ + 1;
  return true;
}

bool AdmissionMeter::admit_sliding_counter(double now) {
  const double window = window_index(now);
  if (window != current_window_) {
    previous_count_ = window == current_window_ + 1 ? current_count_ : 0;
    current_count_ = 0;
    current_window_ = window;
  }
  const double into = std::clamp(now / config_.window - window, 0.0, 1.0);
  const double estimate =
      static_cast<double>(previous_count_) * (1 - into) + static_cast<double>(current_count_);
  if (estimate >= static_cast<double>(config_.limit)) return false;
  ++current_count_;
  return true;
}

bool AdmissionMeter::admit_token_bucket(double now) {
  // Tokens due since the last request are added at once: O(1) however long the gap.
  const double ticks = ticks_until(now);
  const double gained = ticks - ticks_seen_;
  ticks_seen_ = ticks;
  level_ = gained >= static_cast<double>(config_.burst - level_)
               ? config_.burst
               : level_ + static_cast<std::int64_t>(gained);
  if (level_ == 0) return false;
  --level_;
  return true;
}

bool AdmissionMeter::admit_leaky_meter(double now) {
  const double ticks = ticks_until(now);
  const double leaked = ticks - ticks_seen_;
  ticks_seen_ = ticks;
  level_ = leaked >= static_cast<double>(level_) ? 0 : level_ - static_cast<std::int64_t>(leaked);
  if (level_ + 1 > config_.burst) return false;
  ++level_;
  return true;
}

// ---------------------------------------------------------------------------------------------
// RateLimiter

RateLimiter::RateLimiter(Network& network, std::string name, const LimiterConfig& config)
    : Node(network, std::move(name)), config_(config) {
  if (config.algorithm == A::leaky_bucket_queue) {
    capacity_ = config.queue + 1;
    leave_interval_ = 1 / config.rate;
  } else {
    meter_.emplace(config);
  }
}

void RateLimiter::accept(RequestId id) {
  ++flow_.arrivals;
  const double now = network_.simulator().now();
  if (meter_) {
    if (meter_->admit(now)) {
      ++admitted_;
      ++flow_.completions;
      admit(id);
    } else {
      reject(id);
    }
    return;
  }
  if (flow_.held >= capacity_) {
    reject(id);
    return;
  }
  ++admitted_;
  enqueue(id, now);
}

// The loader checked "to": the admitted route, then optionally the rejected one.
void RateLimiter::admit(RequestId id) {
  targets()[0]->accept(id);
}

void RateLimiter::reject(RequestId id) {
  ++flow_.rejections;
  if (targets().size() > 1) {
    targets()[1]->accept(id);
  } else {
    network_.reject(id);
  }
}

void RateLimiter::enqueue(RequestId id, double now) {
  network_.requests()[id].node_arrival = now;
  number_in_node_.set(now, static_cast<double>(++flow_.held));
  if (!leaving_) {
    start_leaving(id, now);
  } else {
    waiting_.push_back(id);
    number_waiting_.set(now, static_cast<double>(waiting_.size()));
  }
}

void RateLimiter::start_leaving(RequestId id, double now) {
  leaving_ = true;
  busy_.set(now, 1);
  const double wait = now - network_.requests()[id].node_arrival;
  ++departures_started_;
  if (wait > 0) ++waited_;
  waits_.add(wait);
  network_.simulator().schedule(leave_interval_, *this, kLeft, id);
}

void RateLimiter::on_event(std::uint32_t kind, std::uint64_t payload) {
  assert(kind == kLeft);
  (void)kind;
  const auto id = static_cast<RequestId>(payload);
  const double now = network_.simulator().now();
  const double sojourn = now - network_.requests()[id].node_arrival;
  ++flow_.completions;
  sojourns_.add(sojourn);
  number_in_node_.set(now, static_cast<double>(--flow_.held));
  leaving_ = false;
  busy_.set(now, 0);
  // The next one starts leaving before this one is passed on, so the state is consistent if
  // the route leads back here.
  if (!waiting_.empty()) {
    const RequestId next = waiting_.pop_front();
    number_waiting_.set(now, static_cast<double>(waiting_.size()));
    start_leaving(next, now);
  }
  admit(id);
}

void RateLimiter::reset_statistics() {
  const double now = network_.simulator().now();
  flow_.reset();
  admitted_ = departures_started_ = waited_ = 0;
  number_in_node_.reset(now);
  number_waiting_.reset(now);
  busy_.reset(now);
  waits_.reset();
  sojourns_.reset();
}

void RateLimiter::collect(Metrics& out) const {
  const double now = network_.simulator().now();
  const double window = now - network_.window_start();
  add_flow_metrics(out, flow_, window, {.admitted = admitted_});
  if (meter_) return;
  add_queue_metrics(out, {.utilization = busy_.mean(now),
                          .mean_held = number_in_node_.mean(now),
                          .mean_queued = number_waiting_.mean(now),
                          .started = departures_started_,
                          .waited = waited_,
                          .waits = waits_,
                          .sojourns = sojourns_});
}

// ---------------------------------------------------------------------------------------------
// Reading the scenario

LimiterConfig read_limiter(const Json& node, const Where& where) {
  const auto& names = limiter_algorithm_names();
  const std::string expected_algorithm = "a rate-limiting algorithm";
  if (!node.contains("algorithm")) {
    where.fail("no key \"algorithm\"", expected_algorithm + ": " + one_of(names));
  }
  LimiterConfig config;
  config.algorithm = static_cast<LimiterAlgorithm>(
      read_choice(node, "algorithm", where, names, expected_algorithm));

  auto reject_key_of_other_algorithms = [&](const char* key, const std::vector<A>& takers) {
    reject_key_of_other_variants(node, where, key, "algorithm", "algorithms", config.algorithm,
                                 takers, names);
  };
  const std::vector<A> windows = {A::fixed_window, A::sliding_window_log,
                                  A::sliding_window_counter};
  reject_key_of_other_algorithms("limit", windows);
  reject_key_of_other_algorithms("window", windows);
  reject_key_of_other_algorithms("rate",
                                 {A::token_bucket, A::leaky_bucket_meter, A::leaky_bucket_queue});
  reject_key_of_other_algorithms("burst", {A::token_bucket, A::leaky_bucket_meter});
  reject_key_of_other_algorithms("queue", {A::leaky_bucket_queue});

  if (uses_windows(config.algorithm)) {
    config.limit = read_integer(node, "limit", where, Range{1, true, kMaxCount, true});
    if (config.algorithm == A::sliding_window_log &&
        static_cast<double>(config.limit) > kMaxLogLimit) {
      (where / "limit")
          .fail_value(node["limit"],
                      fmt::format("{} for sliding_window_log (it keeps the time of each of the "
                                  "last \"limit\" admissions)",
                                  Range{1, true, kMaxLogLimit, true}.describe("an integer")));
    }
    config.window = read_number(node, "window", where, Range{0, false, kMaxTime, true});
  } else {
    config.rate = read_number(node, "rate", where, Range{0, false, kMaxRate, true});
    if (config.algorithm == A::leaky_bucket_queue) {
      config.queue = read_integer(node, "queue", where, Range{0, true, kMaxCount, true});
    } else {
      config.burst = read_integer(node, "burst", where, Range{1, true, kMaxCount, true});
    }
  }

  // "to" is the admitted route, then optionally the rejected one; the loader reads the names.
  const auto to = node.find("to");
  if (to != node.end() && to->is_array() && to->size() > 2) {
    (where / "to")
        .fail(fmt::format("a list of {} node names", to->size()),
              "[admitted target] or [admitted target, rejected target]");
  }
  return config;
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const LimiterConfig& config) {
  return std::make_unique<RateLimiter>(network, name, config);
}

}  // namespace capsim::models
