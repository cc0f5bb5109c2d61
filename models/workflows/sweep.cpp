#include "models/workflows/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "models/nodes/network.hpp"
#include "models/theory/network_theory.hpp"
#include "models/workflows/report.hpp"

namespace capsim::models {

namespace {

// Metrics written to CSV, mean and half-width each, where the node reports them.
constexpr const char* kCsvMetrics[] = {
    "arrival_rate", "throughput",  "utilization", "rejection_ratio", "hit_ratio", "L", "W",
    "sojourn.p50",  "sojourn.p90", "sojourn.p99"};
// Closed forms written to CSV beside them.
constexpr const char* kCsvTheory[] = {"utilization", "L",           "W",
                                      "sojourn.p50", "sojourn.p90", "sojourn.p99"};

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string csv_number(const Json& value) {
  return value.is_number() ? value.dump() : "";
}

Json point_values(const Sweep& sweep, const SweepPoint& point) {
  Json values = Json::object();
  for (std::size_t a = 0; a < sweep.axes.size(); ++a) values[sweep.axes[a].path] = point.values[a];
  return values;
}

Json theory_json(const SweepPoint& point) {
  Json theory = Json::object();
  for (const auto& [key, value] : point.theory) {
    const std::string node = key.first < point.scenario.nodes.size()
                                 ? point.scenario.nodes[key.first].name
                                 : "end to end";
    theory[node][key.second] = value;
  }
  return theory;
}

}  // namespace

Sweep plan_sweep(const Json& document, const std::string& file,
                 const std::vector<Override>& overrides, std::vector<SweepAxis> axes) {
  Sweep sweep;
  Json base = document;
  apply_overrides(base, overrides);
  const Scenario base_scenario =
      parse_with_overrides(overrides, [&] { return parse_scenario(base, file); });
  if (axes.empty()) axes = base_scenario.sweep;
  if (axes.empty()) {
    throw InputError(fmt::format(
        "{}: /sweep: found no sweep, expected --vary PATH=FROM:TO:STEP or a \"sweep\" list in "
        "the scenario",
        file));
  }
  sweep.axes = std::move(axes);
  sweep.base = base_scenario.effective;
  sweep.warnings = base_scenario.warnings;

  std::vector<std::size_t> index(sweep.axes.size(), 0);
  for (;;) {
    SweepPoint point;
    std::vector<Override> all = overrides;
    for (std::size_t a = 0; a < sweep.axes.size(); ++a) {
      point.values.push_back(sweep.axes[a].values[index[a]]);
      all.push_back(axis_override(base, sweep.axes[a], index[a]));
    }
    Json document_at_point = document;
    apply_overrides(document_at_point, all);
    point.scenario =
        parse_with_overrides(all, [&] { return parse_scenario(document_at_point, file); });
    point.theory = closed_forms(point.scenario);
    sweep.points.push_back(std::move(point));
    // Advance the last axis fastest, like nested loops.
    std::size_t a = sweep.axes.size();
    while (a > 0 && ++index[a - 1] == sweep.axes[a - 1].values.size()) index[--a] = 0;
    if (a == 0) break;
  }
  return sweep;
}

void run_sweep(Sweep& sweep, int threads, const std::atomic<bool>& stop,
               const std::function<void(const SweepProgress&)>& on_point) {
  // Work items are (point, replication) pairs, so all cores stay busy even with few
  // replications per point; each pair's result depends only on its seed, not on the thread.
  struct Item {
    std::size_t point;
    std::size_t replication;
  };
  std::vector<Item> items;
  std::vector<std::vector<ReplicationResult>> runs(sweep.points.size());
  std::vector<std::size_t> remaining(sweep.points.size(), 0);
  SweepProgress progress;
  progress.total_points = sweep.points.size();
  for (std::size_t p = 0; p < sweep.points.size(); ++p) {
    const auto replications = static_cast<std::size_t>(sweep.points[p].scenario.replications);
    progress.total_runs += replications;
    if (sweep.points[p].output) {
      ++progress.finished_points;
      progress.finished_runs += replications;
      continue;
    }
    runs[p].resize(replications);
    remaining[p] = replications;
    for (std::size_t r = 0; r < replications; ++r) items.push_back({p, r});
  }

  std::mutex mutex;
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  auto worker = [&] {
    for (std::size_t k = next++; k < items.size() && !stop; k = next++) {
      const Item item = items[k];
      SweepPoint& point = sweep.points[item.point];
      try {
        Replication network(point.scenario, item.replication);
        ReplicationResult run = network.run(stop);
        const std::lock_guard lock(mutex);
        runs[item.point][item.replication] = std::move(run);
        ++progress.finished_runs;
        if (--remaining[item.point] > 0) continue;
        const RunResult result = summarize(point.scenario, std::move(runs[item.point]), 0.95);
        Json output = Json::object();
        output["values"] = point_values(sweep, point);
        output.update(results_json(result));
        output["theory"] = theory_json(point);
        point.output = std::move(output);
        ++progress.finished_points;
        on_point(progress);
      } catch (const Interrupted&) {
        return;  // the point stays unfinished
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        next = items.size();
      }
    }
  };
  const auto thread_count = static_cast<std::size_t>(std::max(1, threads));
  {
    std::vector<std::jthread> pool;
    for (std::size_t t = 1; t < std::min(thread_count, items.size()); ++t)
      pool.emplace_back(worker);
    worker();
  }
  if (failure) std::rethrow_exception(failure);
}

Json sweep_json(const Sweep& sweep) {
  Json out = Json::object();
  out["capsim"] = {{"version", version()}, {"git_revision", git_revision()}};
  out["scenario"] = sweep.base;
  Json axes = Json::array();
  for (const auto& axis : sweep.axes)
    axes.push_back({{"path", axis.path}, {"values", axis.values}});
  out["axes"] = std::move(axes);
  out["confidence"] = 0.95;
  Json points = Json::array();
  for (const auto& point : sweep.points) {
    if (point.output) points.push_back(*point.output);
  }
  out["points"] = std::move(points);
  return out;
}

std::string sweep_csv(const Sweep& sweep) {
  std::vector<std::string> header;
  for (const auto& axis : sweep.axes) header.push_back(csv_field(axis.path));
  header.insert(header.end(), {"node", "type"});
  for (const char* metric : kCsvMetrics) {
    header.push_back(metric);
    header.push_back(std::string(metric) + ".half_width");
  }
  for (const char* metric : kCsvTheory) header.push_back(std::string("theory.") + metric);
  std::string out;
  for (std::size_t c = 0; c < header.size(); ++c) out += (c ? "," : "") + header[c];
  out += "\n";

  for (const auto& point : sweep.points) {
    if (!point.output) continue;
    const Json& output = *point.output;
    std::vector<std::pair<Json, std::string>> rows;  // metrics object, node name
    for (const auto& node : output["nodes"]) rows.push_back({node, node["name"]});
    rows.push_back(
        {Json{{"name", "end to end"}, {"type", "system"}, {"metrics", output["end_to_end"]}},
         "end to end"});
    for (const auto& [node, name] : rows) {
      std::vector<std::string> cells;
      for (const auto& value : output["values"])
        cells.push_back(csv_field(value.is_string() ? value.get<std::string>() : value.dump()));
      cells.push_back(csv_field(name));
      cells.push_back(node["type"].get<std::string>());
      const Json& metrics = node["metrics"];
      for (const char* metric : kCsvMetrics) {
        const auto it = metrics.find(metric);
        cells.push_back(it == metrics.end() ? "" : csv_number((*it)["mean"]));
        cells.push_back(it == metrics.end() ? "" : csv_number((*it)["half_width"]));
      }
      const Json& theory = output["theory"];
      for (const char* metric : kCsvTheory) {
        const bool known = theory.contains(name) && theory[name].contains(metric);
        cells.push_back(known ? theory[name][metric].dump() : "");
      }
      for (std::size_t c = 0; c < cells.size(); ++c) out += (c ? "," : "") + cells[c];
      out += "\n";
    }
  }
  return out;
}

void resume_sweep(Sweep& sweep, const Json& previous, const std::string& file) {
  const Json mine = sweep_json(Sweep{sweep.axes, {}, sweep.base, {}});
  if (!previous.is_object() || previous.value("scenario", Json()) != mine["scenario"] ||
      previous.value("axes", Json()) != mine["axes"]) {
    throw InputError(fmt::format(
        "{}: found a sweep of another scenario or other --vary/--set options, expected the "
        "output of this same sweep to resume",
        file));
  }
  for (const auto& done : previous["points"]) {
    for (auto& point : sweep.points) {
      Json values = Json::object();
      for (std::size_t a = 0; a < sweep.axes.size(); ++a)
        values[sweep.axes[a].path] = point.values[a];
      if (done.value("values", Json()) == values) point.output = done;
    }
  }
}

}  // namespace capsim::models
