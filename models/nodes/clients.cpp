#include "models/nodes/clients.hpp"

#include <bit>
#include <cassert>
#include <limits>

#include "models/nodes/network.hpp"

namespace capsim::models {

namespace {
constexpr std::uint32_t kThinkOver = 0;
constexpr std::int64_t kMaxUsers = 1'000'000;
}  // namespace

Clients::Clients(Network& network, std::string name, const ClientsConfig& config)
    : Node(network, std::move(name)),
      think_rng_(network.stream(this->name() + "#think")),
      think_(config.think),
      users_(config.users) {}

void Clients::start() {
  for (int user = 0; user < users_; ++user) think();
}

void Clients::think() {
  // The think time travels in the event's payload, so measuring it needs no per-user state.
  const double duration = think_.sample(think_rng_);
  network_.simulator().schedule(duration, *this, kThinkOver,
                                std::bit_cast<std::uint64_t>(duration));
}

void Clients::accept(RequestId) {
  assert(false && "the loader never routes requests to clients");
}

void Clients::on_event(std::uint32_t kind, std::uint64_t payload) {
  assert(kind == kThinkOver);
  (void)kind;
  think_time_.add(std::bit_cast<double>(payload));
  const RequestId id = network_.create_request();
  network_.requests()[id].origin = this;
  ++flow_.arrivals;
  outstanding_average_.set(network_.simulator().now(), static_cast<double>(++flow_.held));
  forward(id);
}

void Clients::request_left(RequestId id, bool completed) {
  const double now = network_.simulator().now();
  const double response = now - network_.requests()[id].created;
  ++(completed ? flow_.completions : flow_.rejections);
  responses_.add(response);
  outstanding_average_.set(now, static_cast<double>(--flow_.held));
  think();
}

void Clients::reset_statistics() {
  flow_.reset();
  outstanding_average_.reset(network_.simulator().now());
  responses_.reset();
  think_time_.reset();
}

void Clients::collect(Metrics& out) const {
  const double now = network_.simulator().now();
  const double window = now - network_.window_start();
  const auto replies = static_cast<double>(flow_.completions + flow_.rejections);
  const double throughput = replies / window;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.add({"users", static_cast<double>(users_)});
  add_flow_metrics(out, flow_, window, {.rejections_are_replies = true});
  add_sojourn_metrics(out, outstanding_average_.mean(now), responses_);
  out.add({"think", think_time_.mean()});
  out.add(
      {"response_time_law",
       replies > 0 ? responses_.tally.mean() - (users_ / throughput - think_time_.mean()) : nan});
}

ClientsConfig read_clients(const Json& node, const Where& where) {
  ClientsConfig config;
  config.users =
      static_cast<int>(read_integer(node, "users", where, Range{1, true, kMaxUsers, true}));
  if (!node.contains("think")) {
    where.fail("no key \"think\"", "a \"think\" distribution of think times, s");
  }
  config.think = read_distribution(node["think"], where / "think");
  return config;
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const ClientsConfig& config) {
  return std::make_unique<Clients>(network, name, config);
}

}  // namespace capsim::models
