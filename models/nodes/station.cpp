#include "models/nodes/station.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <limits>

#include "models/nodes/network.hpp"

namespace capsim::models {

namespace {
constexpr std::uint32_t kServiceDone = 0;
constexpr std::int64_t kMaxServers = 1'000'000;
constexpr std::int64_t kMaxCapacity = 1'000'000'000;
// A service-done event carries the request and its server in one payload.
constexpr std::uint64_t pack(RequestId id, std::uint32_t server) {
  return (static_cast<std::uint64_t>(server) << 32) | id;
}
}  // namespace

Station::Station(Network& network, std::string name, const StationConfig& config)
    : Node(network, std::move(name)),
      rng_(network.stream(this->name())),
      service_(config.service),
      capacity_(config.capacity.value_or(std::numeric_limits<std::int64_t>::max())),
      busy_time_(static_cast<std::size_t>(config.servers), 0.0),
      busy_since_(static_cast<std::size_t>(config.servers), kIdle) {
  if (config.failures) {
    failures_ = std::make_unique<ServerFailures>(network.stream(this->name() + "#failures"),
                                                 *config.failures,
                                                 static_cast<std::size_t>(config.servers));
  }
  report_goodput_ = config.report_goodput;
  for (int server = 0; server < config.servers; ++server) {
    idle_servers_.push_back(static_cast<std::uint32_t>(server));
  }
  const std::size_t class_count = std::max<std::size_t>(1, config.classes.size());
  if (!config.service_by_class.empty()) {
    service_by_class_.assign(class_count, service_);
    for (const ClassService& entry : config.service_by_class) {
      service_by_class_[entry.request_class] = entry.service;
    }
  }
  if (config.discipline == Discipline::priority) {
    // Levels are the distinct priorities in ascending order: level 0 is served first.
    std::vector<int> priorities;
    for (const RequestClass& request_class : config.classes) {
      priorities.push_back(request_class.priority);
    }
    std::sort(priorities.begin(), priorities.end());
    priorities.erase(std::unique(priorities.begin(), priorities.end()), priorities.end());
    level_of_class_.assign(class_count, 0);
    for (std::size_t c = 0; c < config.classes.size(); ++c) {
      level_of_class_[c] = static_cast<std::uint32_t>(
          std::lower_bound(priorities.begin(), priorities.end(), config.classes[c].priority) -
          priorities.begin());
    }
    priority_levels_.resize(std::max<std::size_t>(1, priorities.size()));
  }
  if (config.classes.size() > 1) {
    by_class_.resize(config.classes.size());
    for (std::size_t c = 0; c < config.classes.size(); ++c) {
      by_class_[c].name = config.classes[c].name;
    }
  }
}

void Station::enqueue(RequestId id) {
  if (priority_levels_.empty()) {
    queue_.push_back(id);
    return;
  }
  const std::uint32_t level = level_of_class_[network_.requests()[id].request_class];
  priority_levels_[level].push_back(id);
  non_empty_levels_ |= std::uint64_t{1} << level;
  ++waiting_;
}

inline RequestId Station::dequeue() {
  if (priority_levels_.empty()) return queue_.pop_front();
  // The best non-empty level is the lowest set bit: O(1) however many classes.
  const auto level = static_cast<std::uint32_t>(std::countr_zero(non_empty_levels_));
  sim::RingQueue<RequestId>& queue = priority_levels_[level];
  const RequestId id = queue.pop_front();
  if (queue.empty()) non_empty_levels_ &= ~(std::uint64_t{1} << level);
  --waiting_;
  return id;
}

void Station::start() {
  if (!failures_) return;
  for (std::uint32_t server = 0; server < servers(); ++server) {
    network_.simulator().schedule(failures_->draw_up_time(), *this, kServerFails, server);
  }
}

void Station::accept(RequestId id) {
  ++flow_.arrivals;
  if (flow_.held >= capacity_) {
    ++flow_.rejections;
    network_.reject(id);
    return;
  }
  const double now = network_.simulator().now();
  network_.requests()[id].node_arrival = now;
  number_in_station_.set(now, static_cast<double>(++flow_.held));
  if (has_idle_server()) {
    start_service(id, now);
  } else {
    enqueue(id);
    number_waiting_.set(now, static_cast<double>(waiting()));
  }
}

inline std::uint32_t Station::take_idle_server() {
  std::uint32_t server = idle_servers_.pop_front();
  // A server that failed while idle stays in the ring (no O(n) removal) and is skipped here.
  while (failures_ && failures_->taken_from_idle_ring(server)) server = idle_servers_.pop_front();
  return server;
}

void Station::start_next(double now) {
  const bool restart = failures_ && failures_->requeued() > 0;
  const RequestId next_in_line = restart ? failures_->pop_requeued() : dequeue();
  number_waiting_.set(now, static_cast<double>(waiting()));
  start_service(next_in_line, now, restart);
}

inline void Station::start_service(RequestId id, double now, bool restart) {
  const std::uint32_t server = take_idle_server();
  server_busy(server, now);
  Request& request = network_.requests()[id];
  request.service_start = now;
  if (!restart) {
    const double wait = now - request.node_arrival;
    ++services_started_;
    if (wait > 0) ++waited_;
    waits_.add(wait);
    if (!by_class_.empty()) by_class_[request.request_class].wait.add(wait);
  }
  const sim::Distribution& service =
      service_by_class_.empty() ? service_ : service_by_class_[request.request_class];
  const sim::EventId done =
      network_.simulator().schedule(service.sample(rng_), *this, kServiceDone, pack(id, server));
  if (failures_) failures_->service_started(server, id, done);
}

void Station::on_event(std::uint32_t kind, std::uint64_t payload) {
  if (kind == kServerFails || kind == kServerRepaired) {
    const auto server = static_cast<std::uint32_t>(payload);
    kind == kServerFails ? server_fails(server) : server_repaired(server);
    return;
  }
  assert(kind == kServiceDone);
  const auto id = static_cast<RequestId>(payload);
  const auto server = static_cast<std::uint32_t>(payload >> 32);
  const double now = network_.simulator().now();

  const Request& request = network_.requests()[id];
  const double sojourn = now - request.node_arrival;
  ++flow_.completions;
  sojourns_.add(sojourn);
  if (!by_class_.empty()) {
    ClassStatistics& of_class = by_class_[request.request_class];
    ++of_class.completions;
    of_class.sojourns.add(sojourn);
  }
  if (report_goodput_) {
    // A reply nobody waits for any more: all of its service here was wasted (within the window).
    if (request.abandoned) {
      wasted_busy_time_ += now - std::max(request.service_start, network_.window_start());
    } else {
      ++goodput_completions_;
    }
  }
  number_in_station_.set(now, static_cast<double>(--flow_.held));
  server_idle(server, now);
  idle_servers_.push_back(server);
  if (failures_) failures_->service_ended(server);
  if (waiting() > 0) start_next(now);
  forward(id);
}

void Station::server_idle(std::uint32_t server, double now) {
  busy_time_[server] += now - std::max(busy_since_[server], network_.window_start());
  busy_since_[server] = kIdle;
}

double Station::utilization(std::uint32_t server, double now) const {
  const double start = network_.window_start();
  double busy = busy_time_[server];
  if (busy_since_[server] != kIdle) busy += now - std::max(busy_since_[server], start);
  return busy / (now - start);
}

void Station::reset_statistics() {
  const double now = network_.simulator().now();
  flow_.reset();
  services_started_ = waited_ = 0;
  number_in_station_.reset(now);
  number_waiting_.reset(now);
  std::fill(busy_time_.begin(), busy_time_.end(), 0.0);
  waits_.reset();
  sojourns_.reset();
  for (ClassStatistics& of_class : by_class_) {
    of_class.completions = 0;
    of_class.wait.reset();
    of_class.sojourns.reset();
  }
  goodput_completions_ = 0;
  wasted_busy_time_ = 0;
  if (failures_) failures_->reset_statistics(now);
}

void Station::collect(Metrics& out) const {
  const double now = network_.simulator().now();
  const double window = now - network_.window_start();
  double busy_sum = 0;
  for (std::uint32_t server = 0; server < servers(); ++server) busy_sum += utilization(server, now);
  add_flow_metrics(out, flow_, window);
  add_queue_metrics(out, {.utilization = busy_sum / static_cast<double>(servers()),
                          .mean_held = number_in_station_.mean(now),
                          .mean_queued = number_waiting_.mean(now),
                          .started = services_started_,
                          .waited = waited_,
                          .waits = waits_,
                          .sojourns = sojourns_});
  for (std::uint32_t server = 0; server < servers(); ++server) {
    out.add({"utilization.server." + std::to_string(server), utilization(server, now)});
  }
  for (const ClassStatistics& of_class : by_class_) {
    out.add({"throughput." + of_class.name, static_cast<double>(of_class.completions) / window});
    out.add({"W." + of_class.name, of_class.sojourns.tally.mean()});
    out.add({"Wq." + of_class.name, of_class.wait.mean()});
    out.add_latency(("sojourn." + of_class.name).c_str(), of_class.sojourns.histogram);
  }
  if (report_goodput_) {
    out.add({"goodput", static_cast<double>(goodput_completions_) / window});
    out.add({"wasted_utilization",
             wasted_busy_time_ / window / static_cast<double>(servers())});
  }
  if (failures_) failures_->collect(out, now, window, sojourns_.tally);
}

StationConfig read_station(const Json& node, const Where& where) {
  StationConfig config;
  config.servers = static_cast<int>(
      read_optional_integer(node, "servers", where, Range{1, true, kMaxServers, true}).value_or(1));
  config.capacity =
      read_optional_integer(node, "capacity", where,
                            Range{static_cast<double>(config.servers), true, kMaxCapacity, true});
  if (!node.contains("service")) {
    where.fail("no key \"service\"", "a \"service\" distribution of service times");
  }
  config.service = read_distribution(node["service"], where / "service");
  if (node.contains("discipline")) {
    const Json& discipline = node["discipline"];
    if (discipline == "fifo") {
      config.discipline = Discipline::fifo;
    } else if (discipline == "priority") {
      config.discipline = Discipline::priority;
    } else {
      std::string expected = R"("fifo" or "priority")";
      if (discipline.is_string()) {
        if (auto guess = did_you_mean(discipline.get<std::string>(), {"fifo", "priority"})) {
          expected += fmt::format(" (did you mean \"{}\"?)", *guess);
        }
      }
      (where / "discipline").fail_value(discipline, expected);
    }
  }
  if (node.contains("failures")) {
    config.failures = read_failures(node["failures"], where / "failures");
  }
  if (node.contains("service_by_class")) {
    const Json& by_class = node["service_by_class"];
    const Where at = where / "service_by_class";
    if (!by_class.is_object() || by_class.empty()) {
      at.fail_value(by_class, "an object {class name: service distribution, ...}");
    }
    for (const auto& [name, service] : by_class.items()) {
      config.service_by_class.push_back({name, 0, read_distribution(service, at / name)});
    }
  }
  return config;
}

void resolve_station_classes(StationConfig& config, const Where& where,
                             const std::vector<RequestClass>& classes) {
  for (ClassService& entry : config.service_by_class) {
    const auto index = find_request_class(entry.class_name, classes);
    if (!index) {
      (where / "service_by_class" / entry.class_name)
          .fail(fmt::format("unknown class \"{}\"", entry.class_name),
                expected_class(entry.class_name, classes));
    }
    entry.request_class = *index;
  }
  config.classes = classes;
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const StationConfig& config) {
  return std::make_unique<Station>(network, name, config);
}

}  // namespace capsim::models
