#include "sim/analytic/priority.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/analytic/queueing.hpp"

namespace capsim::analytic {

namespace {

// The load of the levels served strictly before `priority`, and up to and including it.
struct LevelLoads {
  double before = 0;
  double through = 0;
};

template <typename LoadOf>
LevelLoads loads_around(int priority, const std::vector<int>& priorities, LoadOf load_of) {
  LevelLoads loads;
  for (std::size_t i = 0; i < priorities.size(); ++i) {
    if (priorities[i] < priority) loads.before += load_of(i);
    if (priorities[i] <= priority) loads.through += load_of(i);
  }
  return loads;
}

void require_stable_load(double load, const char* function) {
  if (!(load < 1.0)) {
    throw std::domain_error(std::string(function) + ": unstable queue, total load " +
                            std::to_string(load) + " must be < 1");
  }
}

}  // namespace

std::vector<double> mg1_priority_waits(const std::vector<PriorityClass>& classes) {
  const char* function = "mg1_priority_waits";
  if (classes.empty()) throw std::invalid_argument(std::string(function) + ": no classes");
  double residual = 0;  // W0
  double load = 0;
  std::vector<int> priorities;
  for (const PriorityClass& c : classes) {
    if (!(c.arrival_rate >= 0) || !std::isfinite(c.arrival_rate) || !(c.mean_service > 0) ||
        !std::isfinite(c.mean_service) || !(c.service_scv >= 0) || !std::isfinite(c.service_scv)) {
      throw std::invalid_argument(std::string(function) +
                                  ": need arrival_rate >= 0, mean_service > 0, finite scv >= 0");
    }
    residual += c.arrival_rate * c.mean_service * c.mean_service * (1 + c.service_scv) / 2;
    load += c.arrival_rate * c.mean_service;
    priorities.push_back(c.priority);
  }
  require_stable_load(load, function);
  std::vector<double> waits;
  for (const PriorityClass& c : classes) {
    const LevelLoads sigma = loads_around(c.priority, priorities, [&](std::size_t i) {
      return classes[i].arrival_rate * classes[i].mean_service;
    });
    waits.push_back(residual / ((1 - sigma.before) * (1 - sigma.through)));
  }
  return waits;
}

std::vector<double> mmc_priority_waits(const std::vector<double>& arrival_rates,
                                       const std::vector<int>& priorities, double service_rate,
                                       int servers) {
  const char* function = "mmc_priority_waits";
  if (arrival_rates.empty() || arrival_rates.size() != priorities.size() || servers < 1 ||
      !(service_rate > 0) || !std::isfinite(service_rate)) {
    throw std::invalid_argument(std::string(function) +
                                ": need one priority per class, servers >= 1, service_rate > 0");
  }
  double total = 0;
  for (double rate : arrival_rates) {
    if (!(rate >= 0) || !std::isfinite(rate)) {
      throw std::invalid_argument(std::string(function) + ": arrival rates must be >= 0");
    }
    total += rate;
  }
  const double capacity = servers * service_rate;  // c mu
  require_stable_load(total / capacity, function);
  const double waiting_base = erlang_c(servers, total / service_rate) / capacity;
  std::vector<double> waits;
  for (int priority : priorities) {
    const LevelLoads sigma = loads_around(
        priority, priorities, [&](std::size_t i) { return arrival_rates[i] / capacity; });
    waits.push_back(waiting_base / ((1 - sigma.before) * (1 - sigma.through)));
  }
  return waits;
}

}  // namespace capsim::analytic
