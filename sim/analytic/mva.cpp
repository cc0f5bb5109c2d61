#include "sim/analytic/mva.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>

namespace capsim::analytic {

namespace {

void check_inputs(int users, double think, std::span<const MvaStation> stations) {
  if (users < 1) throw std::invalid_argument("MVA needs at least one user");
  if (!std::isfinite(think) || think < 0) {
    throw std::invalid_argument("MVA needs a finite think time >= 0");
  }
  double total = think;
  for (const MvaStation& station : stations) {
    if (!std::isfinite(station.demand) || station.demand < 0) {
      throw std::invalid_argument("MVA needs finite service demands >= 0");
    }
    if (!station.infinite_servers && station.servers < 1) {
      throw std::invalid_argument("MVA needs at least one server per queueing station");
    }
    total += station.demand;
  }
  if (!(total > 0)) {
    throw std::invalid_argument("MVA needs a think time or a service demand > 0");
  }
}

using Mask = std::uint32_t;  // a subset of the multi-server stations

// Limits that keep a validate run within about a second and 128 MB.
constexpr double kMaxStoredThroughputs = 16e6;
constexpr double kMaxOperations = 1e9;

// Exact MVA of the network restricted to the multi-server stations in a mask (single-server and
// delay stations, and the think time, are always in). Complement throughputs are memoized per
// mask, so each subnetwork is solved once.
class Solver {
 public:
  Solver(int users, double think, std::span<const MvaStation> stations)
      : users_(users), think_(think), stations_(stations), servers_(stations.size(), 0) {
    for (std::size_t k = 0; k < stations.size(); ++k) {
      // With c >= N servers no request ever waits: exactly a delay (servers_ 0).
      if (stations[k].infinite_servers || stations[k].servers >= users) continue;
      servers_[k] = stations[k].servers;
      if (servers_[k] > 1) multi_server_.push_back(k);
    }
    if (multi_server_.size() > static_cast<std::size_t>(kMaxMultiServerStations)) {
      throw std::invalid_argument("exact MVA supports at most 12 multi-server stations");
    }
    // Every subnetwork keeps X(n) for n <= N, and each costs N steps over its stations.
    const double subnetworks = std::ldexp(1.0, static_cast<int>(multi_server_.size()));
    double step = 1;
    for (std::size_t k = 0; k < stations.size(); ++k) step += std::max(1, servers_[k]);
    if (subnetworks * users > kMaxStoredThroughputs ||
        subnetworks * users * step > kMaxOperations) {
      throw std::invalid_argument(
          "exact MVA of this network is too large (users x multi-server subnetworks x servers)");
    }
  }

  Mask everything() const { return static_cast<Mask>((Mask{1} << multi_server_.size()) - 1); }

  // X(n) for n = 0 .. N (X(0) unused) of the subnetwork; fills `out` at N when given.
  std::vector<double> solve(Mask mask, MvaResult* out) {
    std::vector<bool> present(stations_.size(), true);
    for (std::size_t m = 0; m < multi_server_.size(); ++m) {
      if (!(mask & (Mask{1} << m))) present[multi_server_[m]] = false;
    }
    double time = think_;
    for (std::size_t k = 0; k < stations_.size(); ++k) {
      if (present[k]) time += stations_[k].demand;
    }
    const auto size = static_cast<std::size_t>(users_) + 1;
    if (!(time > 0)) {
      // Only the removed station had any time: its complement passes requests instantly.
      return std::vector<double>(size, std::numeric_limits<double>::infinity());
    }

    std::vector<Multi> multis;
    for (std::size_t m = 0; m < multi_server_.size(); ++m) {
      const Mask bit = Mask{1} << m;
      if (!(mask & bit)) continue;
      Multi multi{multi_server_[m], &throughputs(mask & ~bit), {}};
      multi.p.assign(static_cast<std::size_t>(servers_[multi.station]), 0.0);
      multi.p[0] = 1;  // the empty network
      multis.push_back(std::move(multi));
    }

    std::vector<double> length(stations_.size(), 0.0);  // L_k(n-1)
    std::vector<double> residence(stations_.size(), 0.0);
    std::vector<double> throughput(size, 0.0);
    for (int n = 1; n <= users_; ++n) {
      if (n == users_ && out != nullptr) record_p_wait(*out, multis, throughput[size - 2]);
      for (const Multi& multi : multis) {
        const std::size_t k = multi.station;
        const int c = servers_[k];
        double idle_correction = 0;
        for (int j = 0; j <= c - 2; ++j) {
          idle_correction += (c - 1 - j) * multi.p[static_cast<std::size_t>(j)];
        }
        residence[k] = stations_[k].demand / c * (1 + length[k] + idle_correction);
      }
      double total = think_;
      for (std::size_t k = 0; k < stations_.size(); ++k) {
        if (!present[k]) continue;
        if (servers_[k] == 0) {
          residence[k] = stations_[k].demand;
        } else if (servers_[k] == 1) {
          residence[k] = stations_[k].demand * (1 + length[k]);
        }
        total += residence[k];
      }
      const double x = n / total;
      throughput[static_cast<std::size_t>(n)] = x;
      for (std::size_t k = 0; k < stations_.size(); ++k) {
        if (present[k]) length[k] = x * residence[k];
      }
      for (Multi& multi : multis) {
        const double busy = x * stations_[multi.station].demand;
        // Descending, so p[j - 1] still holds population n - 1 when p[j] is updated.
        for (std::size_t j = multi.p.size() - 1; j >= 1; --j) {
          multi.p[j] = busy / static_cast<double>(j) * multi.p[j - 1];
        }
        multi.p[0] *= x / (*multi.complement)[static_cast<std::size_t>(n)];
      }
    }

    if (out != nullptr) {
      const double x = throughput[size - 1];
      out->throughput = x;
      out->response = 0;
      for (std::size_t k = 0; k < stations_.size(); ++k) {
        MvaStationResult& station = out->stations[k];
        station.residence = residence[k];
        station.queue_length = length[k];
        station.busy_servers = x * stations_[k].demand;
        station.utilization =
            stations_[k].infinite_servers ? 0 : station.busy_servers / stations_[k].servers;
        out->response += residence[k];
      }
    }
    return throughput;
  }

 private:
  // A multi-server station's state while its subnetwork is solved.
  struct Multi {
    std::size_t station;
    const std::vector<double>* complement;  // X_{-k}(n) of the subnetwork without it
    std::vector<double> p;                  // p_k(j | n-1) for j < c
  };

  const std::vector<double>& throughputs(Mask mask) {
    auto it = memo_.find(mask);
    if (it == memo_.end()) it = memo_.emplace(mask, solve(mask, nullptr)).first;
    return it->second;
  }

  // The arrival theorem: an arrival at population N sees the network at N - 1, whose
  // throughput is `previous` and whose multi-server probabilities are still in `multis`.
  void record_p_wait(MvaResult& out, const std::vector<Multi>& multis, double previous) const {
    for (std::size_t k = 0; k < stations_.size(); ++k) {
      if (servers_[k] == 1) out.stations[k].p_wait = previous * stations_[k].demand;
    }
    for (const Multi& multi : multis) {
      double idle_server_found = 0;
      for (double p : multi.p) idle_server_found += p;
      out.stations[multi.station].p_wait = std::max(0.0, 1 - idle_server_found);
    }
  }

  int users_;
  double think_;
  std::span<const MvaStation> stations_;
  std::vector<int> servers_;  // effective c: 0 for a delay or c >= N
  std::vector<std::size_t> multi_server_;
  std::map<Mask, std::vector<double>> memo_;
};

}  // namespace

MvaResult mva(int users, double think, std::span<const MvaStation> stations) {
  check_inputs(users, think, stations);
  Solver solver(users, think, stations);
  MvaResult result;
  result.users = users;
  result.think = think;
  result.stations.resize(stations.size());
  solver.solve(solver.everything(), &result);
  return result;
}

ThroughputBounds throughput_bounds(int users, double think, std::span<const MvaStation> stations) {
  check_inputs(users, think, stations);
  double demand = 0;
  double capacity = std::numeric_limits<double>::infinity();
  for (const MvaStation& station : stations) {
    demand += station.demand;
    if (!station.infinite_servers && station.demand > 0) {
      capacity = std::min(capacity, station.servers / station.demand);
    }
  }
  const double n = users;
  return {n / (n * demand + think), std::min(n / (demand + think), capacity)};
}

}  // namespace capsim::analytic
