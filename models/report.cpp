#include "models/report.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace capsim::models {

const char* version() {
  return CAPSIM_VERSION;
}
// git_revision() is generated at build time (cmake/git_revision.cmake).

std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80;  // count UTF-8 code points
  return width;
}

std::string TextTable::render() const {
  std::vector<std::size_t> widths;
  for (const auto& row : rows_) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], display_width(row[c]));
    }
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string pad(widths[c] - display_width(row[c]), ' ');
      if (c > 0) line += "  ";
      line += c < left_aligned_ ? row[c] + pad : pad + row[c];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string format_number(double value, int significant) {
  if (std::isnan(value)) return "n/a";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return fmt::format("{:.{}g}", value, significant);
}

std::string format_estimate(const sim::Estimate& estimate) {
  if (std::isnan(estimate.mean)) return "n/a";
  if (std::isnan(estimate.half_width)) return format_number(estimate.mean);
  if (estimate.half_width == 0) return format_number(estimate.mean, 6);  // no variation at all
  // Two significant digits of the half-width fix the decimals of both numbers.
  const int decimals =
      std::max(0, 1 - static_cast<int>(std::floor(std::log10(estimate.half_width))));
  if (decimals > 8 || std::fabs(estimate.mean) >= 1e7) {
    return fmt::format("{:.4g} ± {:.2g}", estimate.mean, estimate.half_width);
  }
  return fmt::format("{:.{}f} ± {:.{}f}", estimate.mean, decimals, estimate.half_width, decimals);
}

namespace {

std::string cell(const NodeSummary& node, std::string_view metric) {
  const sim::Estimate* estimate = node.find(metric);
  return estimate ? format_estimate(*estimate) : "";
}

std::string rejected_cell(const NodeSummary& node) {
  const sim::Estimate* ratio = node.find("rejection_ratio");
  if (ratio == nullptr) return "";
  sim::Estimate percent = *ratio;
  percent.mean *= 100;
  percent.half_width *= 100;
  return format_estimate(percent) + " %";
}

// JSON has no NaN or infinity: null stands for "not measured".
Json number(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

Json estimate_json(const sim::Estimate& estimate) {
  Json out = Json::object();
  out["mean"] = number(estimate.mean);
  out["half_width"] = number(estimate.half_width);
  out["low"] = number(estimate.low());
  out["high"] = number(estimate.high());
  return out;
}

Json node_json(const NodeSummary& node) {
  Json out = Json::object();
  out["name"] = node.name;
  out["type"] = node.type;
  Json metrics = Json::object();
  for (std::size_t m = 0; m < node.metrics.size(); ++m) {
    metrics[node.metrics[m]] = estimate_json(node.estimates[m]);
  }
  out["metrics"] = std::move(metrics);
  return out;
}

}  // namespace

std::string format_table(const Scenario& scenario, const RunResult& result) {
  std::string out = fmt::format(
      "{} ({}): seed {}, {} replications of {} s after a {} s warm-up; ± is the {:g}% confidence "
      "interval\n\n",
      scenario.name, scenario.file, scenario.seed, scenario.replications,
      format_number(scenario.duration, 6), format_number(scenario.warmup, 6),
      100 * result.confidence);

  std::vector<const NodeSummary*> rows;
  for (const auto& node : result.nodes) rows.push_back(&node);
  rows.push_back(&result.system);

  TextTable flow({"node", "type", "arrivals/s", "throughput/s", "rejected", "utilization"}, 2);
  for (const NodeSummary* node : rows) {
    flow.add({node->name, node->type, cell(*node, "arrival_rate"), cell(*node, "throughput"),
              rejected_cell(*node), cell(*node, "utilization")});
  }
  out += flow.render() + "\n";

  TextTable queueing({"node", "L", "Lq", "W (s)", "Wq (s)", "P(wait > 0)"});
  for (const NodeSummary* node : rows) {
    if (node->find("L") == nullptr) continue;
    queueing.add({node->name, cell(*node, "L"), cell(*node, "Lq"), cell(*node, "W"),
                  cell(*node, "Wq"), cell(*node, "p_wait")});
  }
  out += queueing.render() + "\n";

  std::vector<std::string> header = {"percentiles (s)", ""};
  for (const auto& [level, suffix] : kPercentiles) header.push_back(suffix);
  TextTable percentiles(header, 2);
  for (const NodeSummary* node : rows) {
    for (const char* what : {"wait", "sojourn"}) {
      if (node->find(std::string(what) + ".p50") == nullptr) continue;
      std::vector<std::string> row = {node->name, what};
      for (const auto& [level, suffix] : kPercentiles) {
        row.push_back(cell(*node, std::string(what) + "." + suffix));
      }
      percentiles.add(row);
    }
  }
  out += percentiles.render();

  // What caches, limiters, retries, breakers and failing servers are for, which the tables above
  // do not show; the JSON result has every metric.
  static const char* const kComponentMetrics[] = {
      "hit_ratio",      "hit_ratio.top1pct", "hit_ratio.top10pct",
      "hit_ratio.rest", "admitted_rate",     "offered_load",
      "goodput",        "timeout_ratio",     "open_fraction",
      "availability",   "wasted_utilization"};
  TextTable components({"node", "metric", "value"}, 2);
  bool any = false;
  for (const NodeSummary* node : rows) {
    for (const char* metric : kComponentMetrics) {
      if (node->find(metric) == nullptr) continue;
      components.add({node->name, metric, cell(*node, metric)});
      any = true;
    }
  }
  if (any) {
    out += '\n';
    out += components.render();
  }
  if (!result.diagnostic.warnings.empty()) out += '\n';
  for (const auto& warning : result.diagnostic.warnings) out += "warning: " + warning + "\n";
  return out;
}

Json to_json(const Scenario& scenario, const RunResult& result) {
  Json out = Json::object();
  out["capsim"] = {{"version", version()}, {"git_revision", git_revision()}};
  out["scenario"] = scenario.effective;
  out["file"] = scenario.file;
  out["seed"] = scenario.seed;
  out["replications"] = scenario.replications;
  out["warmup"] = scenario.warmup;
  out["duration"] = scenario.duration;
  out["confidence"] = result.confidence;
  out.update(results_json(result));
  return out;
}

std::string dump_document(const Json& document) {
  return document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

Json results_json(const RunResult& result) {
  Json out = Json::object();
  Json nodes = Json::array();
  for (const auto& node : result.nodes) nodes.push_back(node_json(node));
  out["nodes"] = std::move(nodes);
  out["end_to_end"] = node_json(result.system)["metrics"];
  const IntervalDiagnostic& diagnostic = result.diagnostic;
  out["interval_diagnostic"] = {{"reliable", diagnostic.reliable()},
                                {"sojourn_batch_lag1", number(diagnostic.batch_lag1)},
                                {"sojourn_largest_batch_z", number(diagnostic.largest_batch_z)},
                                {"warnings", diagnostic.warnings}};
  return out;
}

namespace {

[[noreturn]] void fail_existing(const std::string& path) {
  throw OutputError(fmt::format(
      "{}: found an existing file, expected a new path (pass --force to overwrite it)", path));
}

}  // namespace

void check_output_path(const std::string& path, Existing existing) {
  const std::filesystem::path target(path);
  std::error_code error;
  const auto status = std::filesystem::symlink_status(target, error);
  if (existing == Existing::keep && std::filesystem::exists(status)) fail_existing(path);
  const std::filesystem::path directory =
      target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  if (!std::filesystem::is_directory(directory, error)) {
    throw OutputError(fmt::format("{}: cannot write: no directory {}", path, directory.string()));
  }
}

void write_file_atomically(const std::string& path, const std::string& text, Existing existing) {
  const std::filesystem::path target(path);
  // Hidden, in the same directory so the rename is atomic, and created exclusively under a name
  // no other writer (process or thread) uses.
  static std::atomic<unsigned> counter{0};
  std::filesystem::path temporary;
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
    temporary = target.parent_path() /
                fmt::format(".{}.tmp{}.{}", target.filename().string(), getpid(), counter++);
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  auto fail = [&](const char* what) {
    const std::string reason = std::strerror(errno);
    std::error_code ignored;
    if (fd >= 0) std::filesystem::remove(temporary, ignored);
    throw OutputError(fmt::format("{}: cannot {}: {}", path, what, reason));
  };
  if (fd < 0) {
    const std::string reason = std::strerror(errno);
    throw OutputError(
        fmt::format("{}: cannot create a temporary file beside it: {}", path, reason));
  }
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      ::close(fd);
      errno = saved;
      fail("write");  // ENOSPC (disk full), EFBIG (file size limit), EIO ...
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    fail("flush");
  }
  if (::close(fd) != 0) fail("close");
  if (existing == Existing::replace) {
    if (std::rename(temporary.c_str(), target.c_str()) != 0)
      fail("rename the temporary file to it");
    return;
  }
  // Keep: the rename must not replace a file created since check_output_path.
  if (::renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) {
    return;
  }
  if (errno == EINVAL || errno == ENOSYS) {
    // A file system without RENAME_NOREPLACE: link() fails just the same if the name is taken.
    if (::link(temporary.c_str(), target.c_str()) == 0) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      return;
    }
  }
  if (errno == EEXIST) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    fail_existing(path);
  }
  fail("rename the temporary file to it");
}

}  // namespace capsim::models
