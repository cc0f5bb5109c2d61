#include "models/station.hpp"

#include <cassert>
#include <limits>

#include "models/network.hpp"

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
      server_busy_(static_cast<std::size_t>(config.servers)) {
  for (int server = 0; server < config.servers; ++server) {
    idle_servers_.push_back(static_cast<std::uint32_t>(server));
  }
}

void Station::accept(RequestId id) {
  ++arrivals_;
  if (in_station_ >= capacity_) {
    ++rejections_;
    network_.reject(id);
    return;
  }
  const double now = network_.simulator().now();
  network_.requests()[id].node_arrival = now;
  number_in_station_.set(now, static_cast<double>(++in_station_));
  if (!idle_servers_.empty()) {
    start_service(id, now);
  } else {
    queue_.push_back(id);
    number_waiting_.set(now, static_cast<double>(queue_.size()));
  }
}

void Station::start_service(RequestId id, double now) {
  const std::uint32_t server = idle_servers_.pop_front();
  server_busy_[server].set(now, 1);
  Request& request = network_.requests()[id];
  request.service_start = now;
  const double wait = now - request.node_arrival;
  ++services_started_;
  if (wait > 0) ++waited_;
  wait_.add(wait);
  wait_histogram_.add(wait);
  network_.simulator().schedule(service_.sample(rng_), *this, kServiceDone, pack(id, server));
}

void Station::on_event(std::uint32_t kind, std::uint64_t payload) {
  assert(kind == kServiceDone);
  (void)kind;
  const auto id = static_cast<RequestId>(payload);
  const auto server = static_cast<std::uint32_t>(payload >> 32);
  const double now = network_.simulator().now();

  const double sojourn = now - network_.requests()[id].node_arrival;
  ++completions_;
  sojourn_.add(sojourn);
  sojourn_histogram_.add(sojourn);
  number_in_station_.set(now, static_cast<double>(--in_station_));
  server_busy_[server].set(now, 0);
  idle_servers_.push_back(server);
  if (!queue_.empty()) {
    const RequestId next_in_line = queue_.pop_front();
    number_waiting_.set(now, static_cast<double>(queue_.size()));
    start_service(next_in_line, now);
  }
  forward(id);
}

void Station::reset_statistics() {
  const double now = network_.simulator().now();
  arrivals_ = rejections_ = completions_ = services_started_ = waited_ = 0;
  in_station_at_start_ = in_station_;
  number_in_station_.reset(now);
  number_waiting_.reset(now);
  for (auto& busy : server_busy_) busy.reset(now);
  wait_.reset();
  sojourn_.reset();
  wait_histogram_.reset();
  sojourn_histogram_.reset();
}

void Station::collect(Metrics& out) const {
  const double now = network_.simulator().now();
  const double window = now - network_.window_start();
  double busy_sum = 0;
  for (const auto& busy : server_busy_) busy_sum += busy.mean(now);
  const auto arrivals = static_cast<double>(arrivals_);

  out.add({"arrivals", arrivals});
  out.add({"completions", static_cast<double>(completions_)});
  out.add({"rejections", static_cast<double>(rejections_)});
  out.add({"in_system.start", static_cast<double>(in_station_at_start_)});
  out.add({"in_system.end", static_cast<double>(in_station_)});
  out.add({"arrival_rate", arrivals / window});
  out.add({"throughput", static_cast<double>(completions_) / window});
  out.add({"rejection_ratio", arrivals > 0 ? static_cast<double>(rejections_) / arrivals
                                           : std::numeric_limits<double>::quiet_NaN()});
  out.add({"utilization", busy_sum / static_cast<double>(server_busy_.size())});
  out.add({"L", number_in_station_.mean(now)});
  out.add({"Lq", number_waiting_.mean(now)});
  out.add({"W", sojourn_.mean()});
  out.add({"Wq", wait_.mean()});
  out.add({"p_wait", services_started_ > 0
                         ? static_cast<double>(waited_) / static_cast<double>(services_started_)
                         : std::numeric_limits<double>::quiet_NaN()});
  out.add_latency("wait", wait_histogram_);
  out.add_latency("sojourn", sojourn_histogram_);
  for (std::size_t server = 0; server < server_busy_.size(); ++server) {
    out.add({"utilization.server." + std::to_string(server), server_busy_[server].mean(now)});
  }
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
  return config;
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const StationConfig& config) {
  return std::make_unique<Station>(network, name, config);
}

}  // namespace capsim::models
