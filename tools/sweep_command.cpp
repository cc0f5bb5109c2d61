// `capsim sweep`: a scenario over a grid of parameter values, one row per point and node.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/workflows/sweep.hpp"
#include "tools/commands.hpp"

namespace capsim::tools {

namespace {

struct SweepOptions {
  RunOptions run;
  std::vector<std::string> varies;  ///< --vary, in order
  bool resume = false;
};

// Where a sweep writes: FILE.csv and FILE.json side by side, whichever extension --out gave;
// nowhere without --out (the CSV goes to stdout at the end).
struct SweepFiles {
  std::string csv;
  std::string json;
  models::Existing existing;

  SweepFiles(const std::string& out, models::Existing existing_files) : existing(existing_files) {
    if (out.empty()) return;
    std::filesystem::path path(out);
    std::filesystem::path csv_path = path, json_path = path;
    if (path.extension() == ".json") {
      csv_path.replace_extension(".csv");
    } else {
      json_path.replace_extension(".json");
    }
    csv = csv_path.string();
    json = json_path.string();
  }

  // Before anything is simulated, as check_outputs.
  void check() const {
    for (const auto& path : {json, csv}) {
      if (!path.empty()) models::check_output_path(path, existing);
    }
  }

  void write(const models::Sweep& sweep) {
    if (csv.empty()) return;
    models::write_file_atomically(json, models::dump_document(models::sweep_json(sweep)), existing);
    models::write_file_atomically(csv, models::sweep_csv(sweep), existing);
    existing = models::Existing::replace;  // once written, the sweep rewrites its own files
  }
};

// Marks the points in the JSON of an interrupted sweep as finished; none if it wrote nothing.
void resume_from(models::Sweep& sweep, const std::string& json_path) {
  if (json_path.empty())
    throw models::InputError(
        "--resume: found no --out, expected the output of the interrupted sweep");
  std::ifstream previous(json_path);
  if (!previous) return;
  std::stringstream text;
  text << previous.rdbuf();
  models::resume_sweep(sweep, models::parse_json_text(text.str(), json_path), json_path);
}

void print_progress_bar(const models::SweepProgress& progress,
                        std::chrono::steady_clock::time_point start) {
  const double elapsed = seconds_since(start);
  const double done =
      static_cast<double>(progress.finished_runs) / static_cast<double>(progress.total_runs);
  const int width = 30;
  const int filled = static_cast<int>(done * width);
  const double eta = done > 0 ? elapsed * (1 - done) / done : 0;
  fmt::print(stderr, "\r[{}{}] {}/{} points, ETA {:.0f} s ",
             std::string(static_cast<std::size_t>(filled), '#'),
             std::string(static_cast<std::size_t>(width - filled), '-'), progress.finished_points,
             progress.total_points, eta);
}

// Runs the points not finished yet, writing the files after every point, so that an
// interruption keeps all finished points.
void run_points(models::Sweep& sweep, SweepFiles& files, int threads) {
  const bool progress_bar = stderr_is_terminal();
  const auto start = std::chrono::steady_clock::now();
  models::run_sweep(sweep, threads, interrupted(), [&](const models::SweepProgress& progress) {
    files.write(sweep);
    if (progress_bar) print_progress_bar(progress, start);
  });
  if (progress_bar) fmt::print(stderr, "\n");
  files.write(sweep);
}

int sweep_grid(const SweepOptions& options) {
  const Loaded loaded = load_document(options.run);
  std::vector<models::SweepAxis> axes;
  for (const auto& vary : options.varies) axes.push_back(models::parse_vary(vary));
  models::Sweep sweep =
      models::plan_sweep(loaded.document, options.run.scenario, loaded.overrides, axes);
  print_warnings(sweep.warnings);
  // --resume continues in the sweep's own output, so its files may exist.
  SweepFiles files(options.run.out,
                   options.resume ? models::Existing::replace : options.run.existing());
  files.check();
  if (options.resume) resume_from(sweep, files.json);

  run_points(sweep, files, options.run.threads);
  if (files.csv.empty()) fmt::print("{}", models::sweep_csv(sweep));
  // A signal after the last point finished stopped nothing: the sweep is complete, exit 0.
  const bool complete =
      std::all_of(sweep.points.begin(), sweep.points.end(),
                  [](const models::SweepPoint& point) { return point.output.has_value(); });
  if (interrupted() && !complete) {
    fmt::print(stderr,
               "capsim: interrupted by {}: finished points are kept{}; rerun with --resume to "
               "complete\n",
               signal_name(), files.csv.empty() ? "" : " in " + files.csv);
    return interrupted_exit_code();
  }
  return kExitOk;
}

void add_sweep_options(CLI::App& sweep, SweepOptions& options) {
  add_scenario_options(sweep, options.run);
  sweep
      .add_option("--vary", options.varies,
                  "PATH=FROM:TO:STEP (inclusive) or PATH=V1,V2,...; several give the cartesian "
                  "product; default: the scenario's \"sweep\"")
      ->group("Sweep")
      ->type_name("PATH=VALUES");
  add_out_option(sweep, options.run,
                 "Write FILE.csv and FILE.json (rewritten atomically after every point); default: "
                 "CSV on stdout");
  sweep
      .add_flag("--resume", options.resume,
                "Skip the points already in --out's JSON (after an interruption)")
      ->group("Sweep");
}

}  // namespace

Command add_sweep_command(CLI::App& app) {
  return add_command(
      app, "sweep",
      "Run a scenario over a grid of parameter values (common random numbers) and write "
      "one row per point and node",
      add_sweep_options, sweep_grid);
}

}  // namespace capsim::tools
