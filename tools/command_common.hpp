#pragma once
// What the capsim subcommands share: exit codes, the options of the commands that simulate a
// scenario, loading it with its overrides, interruption by signals, writing the output, and the
// layer that turns parse errors and exceptions into a message and an exit code.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "models/io/output_file.hpp"
#include "models/io/overrides.hpp"
#include "models/scenario/scenario.hpp"
#include "models/workflows/capacity_plan.hpp"
#include "models/workflows/experiment.hpp"
#include "models/workflows/sequential.hpp"

namespace capsim::tools {

// Exit codes, documented in README.
constexpr int kExitOk = 0;
constexpr int kExitCheckFailed = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitInconclusive = 3;
constexpr int kExitInternalError = 4;

/// A subcommand of capsim: `run` does its work with the options parsed into it and returns the
/// exit code.
struct Command {
  CLI::App* app;  ///< true (as a bool) when the command line chose this subcommand
  std::function<int()> run;
};

/// Adds the subcommand `name` to `app`: `add_options` adds its options, bound to an Options that
/// lives as long as the Command (CLI11 parses into it); `run` does the work with them.
template <typename Options>
Command add_command(CLI::App& app, const char* name, const char* description,
                    void (*add_options)(CLI::App&, Options&), int (*run)(const Options&)) {
  auto* subcommand = app.add_subcommand(name, description);
  auto options = std::make_shared<Options>();
  add_options(*subcommand, *options);
  return {subcommand, [options, run] { return run(*options); }};
}

/// Parses the command line. Returns the exit code when capsim is done (help, version, or a
/// usage error, reported on stderr), nothing when a command is to run.
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

/// Runs the chosen one of `commands` with SIGINT and SIGTERM handled; its exceptions become a
/// message on stderr and an exit code: bad input or output 2, interrupted 128 + the signal,
/// anything else 4.
int run_chosen(const std::vector<Command>& commands);

/// Set by SIGINT or SIGTERM; simulations poll it and stop.
const std::atomic<bool>& interrupted();
/// 128 + the number of the signal that interrupted, as a shell reports it.
int interrupted_exit_code();
/// "SIGINT" or "SIGTERM", whichever interrupted.
const char* signal_name();

/// Options shared by the commands that simulate a scenario.
struct RunOptions {
  std::string scenario;
  std::vector<std::string> sets;
  std::optional<std::uint64_t> seed;
  std::optional<int> replications;
  std::optional<double> duration;
  std::optional<double> warmup;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::optional<double> precision;      ///< --precision REL: replications until this relative error
  std::optional<int> max_replications;  ///< --max-replications N: the budget of --precision
  std::vector<std::string> precision_metrics;  ///< --precision-metric [NODE:]METRIC (run)
  std::string format = "table";                ///< --format, for the commands that have it
  double confidence = 0.95;                    ///< --confidence, for the commands that have it
  std::string out;
  bool force = false;  ///< --force: outputs may replace existing files

  models::Existing existing() const {
    return force ? models::Existing::replace : models::Existing::keep;
  }
};

/// The SCENARIO positional, the overrides (--set, --seed, --replications, --duration, --warmup)
/// and --threads.
void add_scenario_options(CLI::App& command, RunOptions& options);
/// --precision and --max-replications, and with `metrics` --precision-metric (run: the metrics
/// to aim at; the SLO commands aim at their SLOs' metrics).
void add_precision_options(CLI::App& command, RunOptions& options, bool metrics);
/// The goal of --precision for `targets`; nothing without --precision. Throws InputError when
/// --max-replications is below the replications the procedure starts with.
std::optional<models::PrecisionGoal> precision_goal(const RunOptions& options,
                                                    const models::Scenario& scenario,
                                                    std::vector<models::PrecisionTarget> targets);

/// --format table|json.
void add_format_option(CLI::App& command, RunOptions& options);
/// --out FILE, described by `what`, and --force.
void add_out_option(CLI::App& command, RunOptions& options, const char* what);

/// Throws OutputError if --out or one of `extra` (empty: none) cannot be written. Called
/// before anything is simulated, so a long run does not end in "exists".
void check_outputs(const RunOptions& options, std::initializer_list<std::string> extra = {});

/// The scenario document with every override resolved: --set first, then the named options.
struct Loaded {
  models::Json document;
  std::vector<models::Override> overrides;
};
Loaded load_document(const RunOptions& options);
/// The scenario of `document` (read from `file`) with `overrides` applied.
models::Scenario parse_overridden(const models::Json& document, const std::string& file,
                                  const std::vector<models::Override>& overrides);
/// load_document, then parse_overridden; prints the scenario's warnings.
models::Scenario load_scenario(const RunOptions& options);
void print_warnings(const std::vector<std::string>& warnings);

/// Runs the scenario's replications on `threads` threads, or as many as `goal` needs; on a
/// terminal, says how long it took.
models::RunResult simulate(const models::Scenario& scenario, int threads,
                           const std::optional<models::PrecisionGoal>& goal = std::nullopt);
/// What run and validate do first: check_outputs, load_scenario, simulate (to --precision for
/// --precision-metric's targets or default_targets).
struct Simulated {
  models::Scenario scenario;
  models::RunResult result;
};
Simulated simulate_scenario(const RunOptions& options);
/// Prints `text`, or writes it to --out atomically.
void emit(const RunOptions& options, const std::string& text);

/// Progress is shown only to a person watching: not in logs or pipes.
bool stderr_is_terminal();
double seconds_since(std::chrono::steady_clock::time_point start);

/// For the SLO searches (plan, headroom): throws InputError if the scenario has no SLOs.
void require_slos(const Loaded& loaded, const RunOptions& options);
/// For the SLO searches: simulates the scenario with extra overrides, evaluates its SLOs.
models::Evaluate evaluator(const Loaded& loaded, const RunOptions& options);

}  // namespace capsim::tools
