#include "models/nodes/failures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <limits>

#include "models/nodes/network.hpp"
#include "models/nodes/station.hpp"

namespace capsim::models {

FailureConfig read_failures(const Json& value, const Where& where) {
  require_object(value, where,
                 "an object {\"time_to_failure\": distribution, \"time_to_repair\": distribution}");
  check_keys(value, where, {"time_to_failure", "time_to_repair", "lost"});
  FailureConfig config;
  for (const char* key : {"time_to_failure", "time_to_repair"}) {
    if (!value.contains(key)) {
      where.fail(fmt::format("no key \"{}\"", key), fmt::format("a \"{}\" distribution, s", key));
    }
  }
  // read_distribution requires a mean > 0: a server that is never up, or repaired in no time,
  // is a misconfiguration, not a model.
  config.time_to_failure = read_distribution(value["time_to_failure"], where / "time_to_failure");
  config.time_to_repair = read_distribution(value["time_to_repair"], where / "time_to_repair");
  if (value.contains("lost")) {
    config.lost = static_cast<LostRequest>(read_choice(
        value, "lost", where, {"requeue", "drop"}, "what becomes of a failed server's request"));
  }
  return config;
}

double availability(const FailureConfig& config) {
  const double up = config.time_to_failure.mean();
  return up / (up + config.time_to_repair.mean());
}

ServerFailures::ServerFailures(sim::Rng rng, const FailureConfig& config, std::size_t servers)
    : rng_(rng), config_(config), servers_(servers) {
  up_servers_.set(0, static_cast<double>(servers));
}

bool ServerFailures::taken_from_idle_ring(std::uint32_t server) {
  Server& s = servers_[server];
  s.in_idle_ring = false;
  if (s.up) return false;
  --down_in_idle_ring_;
  return true;
}

RequestId ServerFailures::fail(std::uint32_t server, double now) {
  Server& s = servers_[server];
  assert(s.up);
  s.up = false;
  ++failures_;
  up_servers_.add(now, -1);
  if (s.serving == kNoRequest) {
    if (s.in_idle_ring) ++down_in_idle_ring_;
    return kNoRequest;
  }
  const RequestId interrupted = s.serving;
  s.serving = kNoRequest;
  return interrupted;
}

bool ServerFailures::repair(std::uint32_t server, double now) {
  Server& s = servers_[server];
  assert(!s.up && s.serving == kNoRequest);
  s.up = true;
  up_servers_.add(now, 1);
  if (s.in_idle_ring) {
    --down_in_idle_ring_;
    return false;
  }
  s.in_idle_ring = true;
  return true;
}

void ServerFailures::reset_statistics(double now) {
  failures_ = interrupted_ = 0;
  dropped_sojourn_.reset();
  up_servers_.reset(now);
}

void ServerFailures::collect(Metrics& out, double now, double window,
                             const sim::Tally& completed) const {
  const auto dropped = static_cast<double>(dropped_sojourn_.count());
  out.add({"availability", up_servers_.mean(now) / static_cast<double>(servers_.size())});
  out.add({"failures", static_cast<double>(failures_)});
  out.add({"interrupted", static_cast<double>(interrupted_)});
  out.add({"dropped", dropped});
  if (config_.lost != LostRequest::drop) return;
  const auto completions = static_cast<double>(completed.count());
  const double departures = completions + dropped;
  const double total_sojourn = (completions > 0 ? completions * completed.mean() : 0) +
                               (dropped > 0 ? dropped * dropped_sojourn_.mean() : 0);
  out.add({"departure_rate", departures / window});
  out.add({"W_departures",
           departures > 0 ? total_sojourn / departures : std::numeric_limits<double>::quiet_NaN()});
}

// The station's side of a failure: the interrupted request and the idle servers. These are
// Station members, kept here with the rest of the failure model.

void Station::server_fails(std::uint32_t server) {
  sim::Simulator& simulator = network_.simulator();
  const double now = simulator.now();
  simulator.schedule(failures_->draw_down_time(), *this, kServerRepaired, server);
  const RequestId interrupted = failures_->fail(server, now);
  if (interrupted == ServerFailures::kNoRequest) return;
  simulator.cancel(failures_->service_done(server));
  server_idle(server, now);
  if (failures_->lost() == LostRequest::requeue) {
    failures_->requeue(interrupted);
    number_waiting_.set(now, static_cast<double>(waiting()));
    // Another server may be idle and up (nobody was waiting): it takes the request over at once.
    if (has_idle_server()) start_next(now);
    return;
  }
  failures_->count_drop(now - network_.requests()[interrupted].node_arrival);
  ++flow_.rejections;
  number_in_station_.set(now, static_cast<double>(--flow_.held));
  network_.reject(interrupted);  // last: the rejection may run its caller's logic
}

void Station::server_repaired(std::uint32_t server) {
  sim::Simulator& simulator = network_.simulator();
  const double now = simulator.now();
  simulator.schedule(failures_->draw_up_time(), *this, kServerFails, server);
  if (failures_->repair(server, now)) idle_servers_.push_back(server);
  // Requests wait only while no server is idle and up, so the repaired server takes the next.
  if (waiting() > 0) start_next(now);
}

}  // namespace capsim::models
