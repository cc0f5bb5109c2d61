#include "models/nodes/resilience.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <limits>
#include <optional>
#include <variant>

#include "models/nodes/failures.hpp"
#include "models/nodes/network.hpp"
#include "models/nodes/rate_limiter.hpp"

namespace capsim::models {

namespace {
constexpr std::uint32_t kTimeout = 0;   // payload: record
constexpr std::uint32_t kRetry = 1;     // payload: record
constexpr std::uint32_t kHalfOpen = 2;  // no payload
constexpr std::int64_t kMaxAttempts = 1'000'000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

CallNode::CallNode(Network& network, std::string name, std::optional<double> timeout)
    : Node(network, std::move(name)),
      timeout_(timeout),
      rng_(network.stream(this->name() + "#backoff")) {}

CallNode::CallNode(Network& network, std::string name, const RetryConfig& config)
    : CallNode(network, std::move(name), config.timeout) {
  max_attempts_ = config.attempts ? static_cast<std::uint32_t>(*config.attempts) : UINT32_MAX;
  backoff_.emplace(config.backoff);
  if (config.budget) budget_.emplace(*config.budget, config.budget_window);
}

CallNode::CallNode(Network& network, std::string name, const BreakerConfig& config)
    : CallNode(network, std::move(name), config.timeout) {
  breaker_.emplace(config.failure_ratio, static_cast<std::uint32_t>(config.window),
                   static_cast<std::uint32_t>(config.probes));
  open_for_ = config.open_for;
}

void CallNode::accept(RequestId caller) {
  const double now = network_.simulator().now();
  ++flow_.arrivals;
  if (breaker_ && !breaker_->permit()) {
    short_circuit(caller);
    return;
  }
  const std::uint32_t index = records_.acquire();
  records_[index] = Record{caller, kNoCall, {}, now, 0, 0};
  number_waiting_.set(now, static_cast<double>(++flow_.held));
  if (budget_) budget_->first_attempt(now);
  send_call(index);
}

void CallNode::send_call(std::uint32_t index) {
  const RequestId call = network_.create_internal(*this);
  Record& record = records_[index];
  {
    Request& request = network_.requests()[call];
    const Request& caller = network_.requests()[record.caller];
    request.request_class = caller.request_class;
    request.key = caller.key;
    request.size = caller.size;
    request.call_record = index;
  }
  record.call = call;
  ++record.attempts;
  ++attempts_;
  if (breaker_) record.epoch = breaker_->epoch();
  if (timeout_) record.timer = network_.simulator().schedule(*timeout_, *this, kTimeout, index);
  // Last: the service may reject the call at once, which ends it (and maybe the caller) here.
  targets()[0]->accept(call);
}

void CallNode::request_left(RequestId call, bool completed) {
  const Request& request = network_.requests()[call];
  if (request.abandoned) {
    // Its caller gave up on it at the timeout; the reply is discarded.
    if (completed) ++late_replies_;
    return;
  }
  const std::uint32_t index = request.call_record;
  Record& record = records_[index];
  assert(record.call == call);
  if (timeout_) network_.simulator().cancel(record.timer);
  record.call = kNoCall;
  record_outcome(record.epoch, completed);
  if (completed) {
    finish(index, true);
  } else {
    ++rejected_attempts_;
    call_failed(index);
  }
}

void CallNode::on_event(std::uint32_t kind, std::uint64_t payload) {
  if (kind == kHalfOpen) {
    breaker_->half_open();
    breaker_changed();
    return;
  }
  const auto index = static_cast<std::uint32_t>(payload);
  if (kind == kRetry) {
    send_call(index);
    return;
  }
  assert(kind == kTimeout);
  Record& record = records_[index];
  ++timeouts_;
  // Not cancelled: the call keeps its place in queues and its server time, as it would in a
  // real system where the server never learns that the client stopped waiting.
  network_.requests()[record.call].abandoned = true;
  record.call = kNoCall;
  record_outcome(record.epoch, false);
  call_failed(index);
}

void CallNode::call_failed(std::uint32_t index) {
  Record& record = records_[index];
  if (record.attempts < max_attempts_) {
    const double now = network_.simulator().now();
    if (!budget_ || budget_->try_retry(now)) {
      ++retries_;
      // Always through an event, even with no wait: a service that rejects at once must not
      // recurse through send_call.
      record.timer = network_.simulator().schedule(backoff_->delay(record.attempts, rng_), *this,
                                                   kRetry, index);
      return;
    }
    ++budget_exhausted_;
  }
  finish(index, false);
}

void CallNode::finish(std::uint32_t index, bool success) {
  const Record record = records_[index];
  records_.release(index);
  const double now = network_.simulator().now();
  const double sojourn = now - record.arrived;
  number_waiting_.set(now, static_cast<double>(--flow_.held));
  ++flow_.completions;
  sojourns_.add(sojourn);
  if (success) {
    ++successes_;
    success_sojourn_.add(sojourn);
    targets()[1]->accept(record.caller);
    return;
  }
  ++failures_;
  if (Node* fallback = on_failure()) {
    fallback->accept(record.caller);
  } else {
    network_.reject(record.caller);
  }
}

void CallNode::short_circuit(RequestId caller) {
  ++short_circuited_;
  if (Node* fallback = on_failure()) {
    // It passes through at once: a completion with no time spent here.
    ++flow_.completions;
    sojourns_.add(0);
    fallback->accept(caller);
  } else {
    ++flow_.rejections;
    network_.reject(caller);
  }
}

void CallNode::record_outcome(std::uint32_t epoch, bool success) {
  if (!breaker_) return;
  const CircuitBreaker::State before = breaker_->state();
  breaker_->record(epoch, success);
  if (breaker_->state() != before) breaker_changed();
}

void CallNode::breaker_changed() {
  const double now = network_.simulator().now();
  const CircuitBreaker::State state = breaker_->state();
  open_.set(now, state == CircuitBreaker::State::open ? 1 : 0);
  half_open_.set(now, state == CircuitBreaker::State::half_open ? 1 : 0);
  if (state == CircuitBreaker::State::open) {
    ++opens_;
    network_.simulator().schedule(open_for_, *this, kHalfOpen);
  }
}

void CallNode::reset_statistics() {
  const double now = network_.simulator().now();
  flow_.reset();
  successes_ = failures_ = 0;
  attempts_ = retries_ = timeouts_ = rejected_attempts_ = late_replies_ = 0;
  budget_exhausted_ = short_circuited_ = opens_ = 0;
  number_waiting_.reset(now);
  open_.reset(now);
  half_open_.reset(now);
  sojourns_.reset();
  success_sojourn_.reset();
}

void CallNode::collect(Metrics& out) const {
  const double now = network_.simulator().now();
  const double window = now - network_.window_start();
  const auto arrivals = static_cast<double>(flow_.arrivals);
  const auto departures = static_cast<double>(flow_.completions + flow_.rejections);
  const auto attempts = static_cast<double>(attempts_);
  add_flow_metrics(out, flow_, window);
  add_sojourn_metrics(out, number_waiting_.mean(now), sojourns_);
  out.add({"successes", static_cast<double>(successes_)});
  out.add({"failures", static_cast<double>(failures_)});
  out.add({"goodput", static_cast<double>(successes_) / window});
  out.add({"success_ratio", departures > 0 ? static_cast<double>(successes_) / departures : kNaN});
  out.add({"W_success", success_sojourn_.mean()});
  out.add({"attempts", attempts});
  out.add({"offered_load", attempts / window});
  out.add({"timeouts", static_cast<double>(timeouts_)});
  out.add({"timeout_ratio", attempts > 0 ? static_cast<double>(timeouts_) / attempts : kNaN});
  out.add({"rejected_attempts", static_cast<double>(rejected_attempts_)});
  out.add({"late_replies", static_cast<double>(late_replies_)});
  if (backoff_) {
    out.add({"requests", arrivals});
    out.add({"retries", static_cast<double>(retries_)});
    out.add({"budget_exhausted", static_cast<double>(budget_exhausted_)});
  }
  if (breaker_) {
    out.add({"short_circuited", static_cast<double>(short_circuited_)});
    out.add({"opens", static_cast<double>(opens_)});
    out.add({"open_fraction", open_.mean(now)});
    out.add({"half_open_fraction", half_open_.mean(now)});
  }
}

namespace {

void check_call_targets(const Json& node, const Where& where) {
  const auto to = node.find("to");
  if (to != node.end() && to->is_array() && (to->size() < 2 || to->size() > 3)) {
    (where / "to")
        .fail(fmt::format("a list of {} names", to->size()),
              "a list of two or three node names [service, next, on_failure]: where calls go, "
              "where callers go after a successful call, and where they go when it failed "
              "(absent: rejected)");
  }
}

std::optional<double> read_timeout(const Json& node, const Where& where) {
  return read_optional_number(node, "timeout", where, Range::seconds());
}

}  // namespace

BackoffConfig read_backoff(const Json& value, const Where& where) {
  require_object(value, where,
                 R"(a backoff object {"kind": "fixed" or "exponential", "base": s, "max": s, )"
                 R"("jitter": "none", "full" or "equal"})");
  check_keys(value, where, {"kind", "base", "max", "jitter"});
  if (!value.contains("kind")) {
    where.fail("no key \"kind\"", R"("fixed" or "exponential" at "kind")");
  }
  BackoffConfig config;
  config.kind = static_cast<BackoffKind>(
      read_choice(value, "kind", where, {"fixed", "exponential"}, "a backoff kind"));
  const Range time{0, true, limits::kMaxSeconds, true};
  config.base = read_number(value, "base", where, time);
  config.max = read_optional_number(value, "max", where, time)
                   .value_or(std::numeric_limits<double>::infinity());
  if (value.contains("jitter")) {
    config.jitter = static_cast<Jitter>(
        read_choice(value, "jitter", where, {"none", "full", "equal"}, "a jitter"));
  }
  return config;
}

RetryConfig read_retry(const Json& node, const Where& where) {
  check_call_targets(node, where);
  RetryConfig config;
  config.timeout = read_timeout(node, where);
  config.attempts =
      read_optional_integer(node, "attempts", where, Range{1, true, kMaxAttempts, true});
  config.budget = read_optional_number(node, "budget", where, Range{0, true, 1e6, true});
  if (node.contains("budget_window") && !config.budget) {
    (where / "budget_window")
        .fail("\"budget_window\" without \"budget\"",
              "a \"budget\" ratio for the window to apply to");
  }
  config.budget_window =
      read_optional_number(node, "budget_window", where, Range::seconds()).value_or(10);
  if (!config.attempts && !config.budget) {
    where.fail("neither \"attempts\" nor \"budget\"",
               "a bound on retries: \"attempts\" (most calls per request, the first included) "
               "or a retry \"budget\" (a retry loop without either could amplify the load "
               "without limit)");
  }
  if (node.contains("backoff")) config.backoff = read_backoff(node["backoff"], where / "backoff");
  return config;
}

BreakerConfig read_breaker(const Json& node, const Where& where) {
  check_call_targets(node, where);
  BreakerConfig config;
  config.failure_ratio = read_number(node, "failure_ratio", where, Range{0, true, 1, false});
  config.window =
      read_optional_integer(node, "window", where, Range{1, true, kMaxAttempts, true}).value_or(20);
  config.open_for = read_number(node, "open_for", where, Range::seconds());
  config.probes =
      read_optional_integer(node, "probes", where, Range{1, true, kMaxAttempts, true}).value_or(1);
  config.timeout = read_timeout(node, where);
  return config;
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const RetryConfig& config) {
  return std::make_unique<CallNode>(network, name, config);
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const BreakerConfig& config) {
  return std::make_unique<CallNode>(network, name, config);
}

}  // namespace capsim::models
