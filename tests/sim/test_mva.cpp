// Exact MVA against a published worked example, the closed-form machine-repairman model, and a
// brute-force continuous-time Markov chain solved with Eigen; plus the asymptotic bounds.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <vector>

#include "sim/analytic/mva.hpp"
#include "tests/support/approx.hpp"

using namespace capsim::analytic;
using capsim::testing::rel;

namespace {

// A node of a closed network for the Markov chain: exponential service at `rate` per server,
// `servers` servers (0 = infinite), routing row `next` (probabilities to every node, sum 1).
struct ChainNode {
  double rate;
  int servers;
  std::vector<double> next;
};

struct ChainSolution {
  std::vector<double> throughput;    // departures per second from each node
  std::vector<double> queue_length;  // mean number at each node
  std::vector<double> p_wait;        // fraction of arrivals that find every server busy
};

// Solves pi Q = 0 over every placement of `users` requests on the nodes (a composition of N).
// Independent of MVA: it uses neither the arrival theorem nor product form.
ChainSolution solve_chain(const std::vector<ChainNode>& nodes, int users) {
  const std::size_t m = nodes.size();
  std::vector<std::vector<int>> states;
  std::vector<int> current(m, 0);
  std::function<void(std::size_t, int)> enumerate = [&](std::size_t i, int left) {
    if (i + 1 == m) {
      current[i] = left;
      states.push_back(current);
      return;
    }
    for (int n = 0; n <= left; ++n) {
      current[i] = n;
      enumerate(i + 1, left - n);
    }
  };
  enumerate(0, users);
  auto index_of = [&](const std::vector<int>& state) {
    for (std::size_t s = 0; s < states.size(); ++s) {
      if (states[s] == state) return static_cast<Eigen::Index>(s);
    }
    throw std::logic_error("state not enumerated");
  };
  auto service_rate = [&](const std::vector<int>& state, std::size_t i) {
    const int busy = nodes[i].servers == 0 ? state[i] : std::min(state[i], nodes[i].servers);
    return busy * nodes[i].rate;
  };

  const auto size = static_cast<Eigen::Index>(states.size());
  Eigen::MatrixXd generator = Eigen::MatrixXd::Zero(size, size);
  for (Eigen::Index s = 0; s < size; ++s) {
    const auto& state = states[static_cast<std::size_t>(s)];
    for (std::size_t i = 0; i < m; ++i) {
      const double out = service_rate(state, i);
      if (out == 0) continue;
      for (std::size_t j = 0; j < m; ++j) {
        if (nodes[i].next[j] == 0 || i == j) continue;
        auto target = state;
        --target[i];
        ++target[j];
        generator(s, index_of(target)) += out * nodes[i].next[j];
        generator(s, s) -= out * nodes[i].next[j];
      }
    }
  }
  // pi Q = 0 with sum(pi) = 1: replace one balance equation by the normalization.
  Eigen::MatrixXd system = generator.transpose();
  system.row(0).setOnes();
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(size);
  rhs(0) = 1;
  const Eigen::VectorXd pi = system.fullPivLu().solve(rhs);

  ChainSolution solution{std::vector<double>(m, 0), std::vector<double>(m, 0),
                         std::vector<double>(m, 0)};
  std::vector<double> arrivals(m, 0), waiting_arrivals(m, 0);
  for (Eigen::Index s = 0; s < size; ++s) {
    const auto& state = states[static_cast<std::size_t>(s)];
    for (std::size_t i = 0; i < m; ++i) {
      const double out = pi(s) * service_rate(state, i);
      solution.throughput[i] += out;
      solution.queue_length[i] += pi(s) * state[i];
      for (std::size_t j = 0; j < m; ++j) {
        if (nodes[i].next[j] == 0) continue;
        // The arrival at j sees j's population without itself (i != j) or after its own
        // departure (i == j, a self-loop).
        const int seen = state[j] - (i == j ? 1 : 0);
        arrivals[j] += out * nodes[i].next[j];
        if (nodes[j].servers > 0 && seen >= nodes[j].servers) {
          waiting_arrivals[j] += out * nodes[i].next[j];
        }
      }
    }
  }
  for (std::size_t j = 0; j < m; ++j) solution.p_wait[j] = waiting_arrivals[j] / arrivals[j];
  return solution;
}

}  // namespace

TEST_SUITE("mva") {
  TEST_CASE(
      "MVA against Jain - The Art of Computer Systems Performance Analysis - Example 34.2 (Table "
      "34.1)") {
    // Timesharing system: think time 4 s; CPU 0.125 s x 16 visits, disk A 0.3 s x 10, disk B
    // 0.2 s x 5. The table gives per-visit response times, R, X and queue lengths to 3 decimals.
    const double visits[] = {16, 10, 5};
    const double service[] = {0.125, 0.3, 0.2};
    const std::vector<MvaStation> stations = {MvaStation::queueing(2.0), MvaStation::queueing(3.0),
                                              MvaStation::queueing(1.0)};
    struct Row {
      int n;
      double visit_response[3], response, throughput, queue[3];
    };
    const Row table[] = {
        {1, {0.125, 0.300, 0.200}, 6.000, 0.100, {0.200, 0.300, 0.100}},
        {2, {0.150, 0.390, 0.220}, 7.400, 0.175, {0.421, 0.684, 0.193}},
        {3, {0.178, 0.505, 0.239}, 9.088, 0.229, {0.651, 1.158, 0.273}},
        {4, {0.206, 0.647, 0.255}, 11.051, 0.266, {0.878, 1.721, 0.338}},
        {5, {0.235, 0.816, 0.268}, 13.256, 0.290, {1.088, 2.365, 0.388}},
        {17, {0.370, 3.962, 0.300}, 47.045, 0.333, {1.974, 13.195, 0.499}},
        {18, {0.372, 4.259, 0.300}, 50.032, 0.333, {1.981, 14.187, 0.499}},
        {19, {0.373, 4.556, 0.300}, 53.022, 0.333, {1.987, 15.181, 0.500}},
        {20, {0.373, 4.854, 0.300}, 56.016, 0.333, {1.991, 16.177, 0.500}},
    };
    const double rounding = 0.0005 + 1e-12;  // the table's 3 decimals
    for (const Row& row : table) {
      CAPTURE(row.n);
      const MvaResult r = mva(row.n, 4.0, stations);
      CHECK(std::fabs(r.response - row.response) <= rounding);
      CHECK(std::fabs(r.throughput - row.throughput) <= rounding);
      for (std::size_t k = 0; k < 3; ++k) {
        CAPTURE(k);
        CHECK(std::fabs(r.stations[k].residence / visits[k] - row.visit_response[k]) <= rounding);
        CHECK(std::fabs(r.stations[k].queue_length - row.queue[k]) <= rounding);
        CHECK(r.stations[k].utilization == rel(r.throughput * visits[k] * service[k], 1e-12));
      }
    }
  }

  TEST_CASE("MVA with one user: no queueing - X = 1 / (D + Z) and R = D") {
    const std::vector<MvaStation> stations = {MvaStation::queueing(0.3, 1),
                                              MvaStation::queueing(0.2, 4), MvaStation::delay(0.5)};
    const MvaResult r = mva(1, 2.0, stations);
    CHECK(r.throughput == rel(1 / 3.0, 1e-14));
    CHECK(r.response == rel(1.0, 1e-14));
    for (const auto& station : r.stations) CHECK(station.p_wait == 0);
    CHECK(r.stations[0].queue_length == rel(0.1, 1e-14));
  }

  TEST_CASE("machine repairman M/M/c//N: load-dependent MVA against the closed form") {
    // N machines fail after exponential up times (mean Z) and c repairmen fix them (mean S).
    // p(n) is proportional to N!/(N-n)! (S/Z)^n / (n! for n <= c, c! c^(n-c) for n > c)
    // (Kleinrock, Queueing Systems vol. 1, 1975, section 3.8).
    for (const auto& [machines, repairmen, up, repair] :
         {std::tuple{10, 3, 4.0, 1.0}, std::tuple{40, 5, 2.0, 0.5}, std::tuple{200, 8, 1.0, 0.05},
          std::tuple{6, 10, 1.0, 1.0}}) {
      const int machine_count = machines;  // copies: clang 14 cannot capture bindings
      const int repairman_count = repairmen;
      CAPTURE(machine_count);
      CAPTURE(repairman_count);
      std::vector<long double> p(static_cast<std::size_t>(machines) + 1);
      long double term = 1, sum = 0;
      for (int n = 0; n <= machines; ++n) {
        if (n > 0) {
          term *= static_cast<long double>(machines - n + 1) * repair / up / std::min(n, repairmen);
        }
        p[static_cast<std::size_t>(n)] = term;
        sum += term;
      }
      long double busy = 0, length = 0, p_wait_at_n_minus_1 = 0;
      for (int n = 0; n <= machines; ++n) {
        const long double q = p[static_cast<std::size_t>(n)] / sum;
        busy += q * std::min(n, repairmen);
        length += q * n;
      }
      // The arrival theorem for one machine failing: it sees the other N - 1 in equilibrium.
      {
        std::vector<long double> others(static_cast<std::size_t>(machines));
        long double t = 1, s = 0;
        for (int n = 0; n < machines; ++n) {
          if (n > 0)
            t *= static_cast<long double>(machines - n) * repair / up / std::min(n, repairmen);
          others[static_cast<std::size_t>(n)] = t;
          s += t;
        }
        for (int n = repairmen; n < machines; ++n) {
          p_wait_at_n_minus_1 += others[static_cast<std::size_t>(n)] / s;
        }
      }
      const double throughput = static_cast<double>(busy / repair);
      const MvaResult r = mva(machines, up, std::vector{MvaStation::queueing(repair, repairmen)});
      CHECK(r.throughput == rel(throughput, 1e-10));
      CHECK(r.stations[0].queue_length == rel(static_cast<double>(length), 1e-10));
      CHECK(r.stations[0].busy_servers == rel(static_cast<double>(busy), 1e-10));
      CHECK(r.stations[0].p_wait ==
            doctest::Approx(static_cast<double>(p_wait_at_n_minus_1)).epsilon(1e-10));
      CHECK(r.response == rel(machines / throughput - up, 1e-10));
    }
  }

  TEST_CASE(
      "MVA of a network with a loop and multi-server and delay stations against its Markov chain") {
    // think (delay, mean 2 s) -> web (3 servers, mean 0.4 s) -> 60%: db (1 server, 0.25 s),
    // 40%: think; db -> 50%: web, 50%: hop (delay, 0.3 s) -> think.
    // Visits per cycle: web 1 / (1 - 0.3) = 10/7, db 0.6 web = 6/7, hop 0.5 db = 3/7.
    const std::vector<ChainNode> chain = {
        {1 / 2.0, 0, {0, 1, 0, 0}},       // think
        {1 / 0.4, 3, {0.4, 0, 0.6, 0}},   // web
        {1 / 0.25, 1, {0, 0.5, 0, 0.5}},  // db
        {1 / 0.3, 0, {1, 0, 0, 0}},       // hop
    };
    const double web = 10.0 / 7, db = 6.0 / 7, hop = 3.0 / 7;
    const std::vector<MvaStation> stations = {MvaStation::queueing(web * 0.4, 3),
                                              MvaStation::queueing(db * 0.25, 1),
                                              MvaStation::delay(hop * 0.3)};
    for (int users : {1, 2, 3, 5, 8, 12}) {
      CAPTURE(users);
      const ChainSolution exact = solve_chain(chain, users);
      const MvaResult r = mva(users, 2.0, stations);
      CHECK(r.throughput == rel(exact.throughput[0], 1e-9));
      for (std::size_t k = 0; k < 3; ++k) {
        CAPTURE(k);
        CHECK(r.stations[k].queue_length == rel(exact.queue_length[k + 1], 1e-9));
        CHECK(r.stations[k].p_wait == doctest::Approx(exact.p_wait[k + 1]).epsilon(1e-9));
      }
      CHECK(r.stations[0].utilization == rel(exact.throughput[1] * 0.4 / 3, 1e-9));
      const double thinking = exact.queue_length[0];
      CHECK(r.response == rel((users - thinking) / exact.throughput[0], 1e-9));
    }
  }

  TEST_CASE("MVA of two multi-server stations and a single server against the Markov chain") {
    // think (2.5 s) -> app (2 servers, 0.5 s) -> 50%: db (3 servers, 0.9 s), 50%: cache
    // (1 server, 0.1 s); db and cache -> think. Both multi-server stations saturate at N = 12.
    // Visits per cycle: app 1, db 0.5, cache 0.5.
    const std::vector<ChainNode> chain = {
        {1 / 2.5, 0, {0, 1, 0, 0}},      // think
        {1 / 0.5, 2, {0, 0, 0.5, 0.5}},  // app
        {1 / 0.9, 3, {1, 0, 0, 0}},      // db
        {1 / 0.1, 1, {1, 0, 0, 0}},      // cache
    };
    const std::vector<MvaStation> stations = {
        MvaStation::queueing(0.5, 2), MvaStation::queueing(0.45, 3), MvaStation::queueing(0.05, 1)};
    for (int users : {1, 2, 3, 4, 7, 12}) {
      CAPTURE(users);
      const ChainSolution exact = solve_chain(chain, users);
      const MvaResult r = mva(users, 2.5, stations);
      CHECK(r.throughput == rel(exact.throughput[0], 1e-9));
      for (std::size_t k = 0; k < 3; ++k) {
        CAPTURE(k);
        CHECK(r.stations[k].queue_length == rel(exact.queue_length[k + 1], 1e-9));
        CHECK(r.stations[k].p_wait == doctest::Approx(exact.p_wait[k + 1]).epsilon(1e-9));
      }
    }
  }

  TEST_CASE("MVA is stable at saturation: many users on a multi-server bottleneck") {
    // 500 users, Z = 1 s, a 4-server station with D = 0.1 s (capacity 40/s) and a single server
    // with D = 0.02 s: X(N) must approach 40/s from below, with probabilities in [0, 1].
    const std::vector<MvaStation> stations = {MvaStation::queueing(0.1, 4),
                                              MvaStation::queueing(0.02, 1)};
    double previous = 0;
    for (int users : {1, 10, 40, 44, 60, 100, 500}) {
      CAPTURE(users);
      const MvaResult r = mva(users, 1.0, stations);
      const ThroughputBounds bounds = throughput_bounds(users, 1.0, stations);
      CHECK(r.throughput > previous);  // X(N) increases with N
      CHECK(r.throughput <= bounds.upper * (1 + 1e-12));
      CHECK(r.throughput >= bounds.lower * (1 - 1e-12));
      CHECK(r.stations[0].p_wait >= 0);
      CHECK(r.stations[0].p_wait <= 1);
      CHECK(r.stations[0].utilization <= 1 + 1e-12);
      double total = 0;
      for (const auto& s : r.stations) total += s.queue_length;
      CHECK(total + r.throughput * 1.0 == rel(users, 1e-9));  // N = L + X Z
      previous = r.throughput;
    }
    const MvaResult saturated = mva(500, 1.0, stations);
    CHECK(saturated.throughput == rel(40, 1e-9));
    CHECK(saturated.stations[0].p_wait == doctest::Approx(1).epsilon(1e-9));
  }

  TEST_CASE("MVA asymptotic bounds hold and are tight at both ends") {
    const std::vector<MvaStation> stations = {MvaStation::queueing(2.0), MvaStation::queueing(3.0),
                                              MvaStation::queueing(1.0)};
    for (int users = 1; users <= 60; ++users) {
      const MvaResult r = mva(users, 4.0, stations);
      const ThroughputBounds b = throughput_bounds(users, 4.0, stations);
      CHECK(r.throughput >= b.lower * (1 - 1e-12));
      CHECK(r.throughput <= b.upper * (1 + 1e-12));
    }
    CHECK(throughput_bounds(1, 4.0, stations).upper == rel(0.1, 1e-14));
    CHECK(throughput_bounds(1, 4.0, stations).lower == rel(0.1, 1e-14));
    CHECK(throughput_bounds(60, 4.0, stations).upper == rel(1 / 3.0, 1e-14));  // 1 / Dmax
    CHECK(mva(60, 4.0, stations).throughput == rel(1 / 3.0, 1e-6));
  }

  TEST_CASE("MVA: bad arguments throw") {
    const std::vector<MvaStation> one = {MvaStation::queueing(1.0)};
    CHECK_THROWS_AS(mva(0, 1.0, one), std::invalid_argument);
    CHECK_THROWS_AS(mva(1, -1.0, one), std::invalid_argument);
    CHECK_THROWS_AS(mva(1, 1.0, std::vector{MvaStation::queueing(-1.0)}), std::invalid_argument);
    CHECK_THROWS_AS(mva(1, 1.0, std::vector{MvaStation::queueing(1.0, 0)}), std::invalid_argument);
    CHECK_THROWS_AS(mva(3, 0.0, std::vector{MvaStation::delay(0.0)}), std::invalid_argument);
    // Too large to solve in about a second: 13 multi-server stations, or a million users on
    // 1000 servers.
    CHECK_THROWS_AS(mva(20, 1.0, std::vector<MvaStation>(13, MvaStation::queueing(0.1, 2))),
                    std::invalid_argument);
    CHECK_THROWS_AS(mva(1'000'000, 1.0, std::vector{MvaStation::queueing(0.1, 1000)}),
                    std::invalid_argument);
    CHECK(mva(1'000'000, 1.0, std::vector{MvaStation::queueing(1e-7, 1)}).throughput > 0);
  }
}
