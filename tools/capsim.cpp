// capsim: the command line. Thin: parse options, call the library, print.

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <thread>

#include "models/experiment.hpp"
#include "models/report.hpp"
#include "models/scenario.hpp"
#include "models/theory_check.hpp"
#include "tools/bench.hpp"

namespace {

namespace models = capsim::models;

// Exit codes, documented in README.
constexpr int kExitOk = 0;
constexpr int kExitCheckFailed = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitInternalError = 4;

// The scenario loader's limit: seeds stay exact as JSON numbers.
constexpr std::uint64_t kMaxSeed = 9'000'000'000'000'000;

// A simulated time in seconds: finite, positive (or zero when `zero_allowed`), at most 1e15.
CLI::Validator finite_seconds(bool zero_allowed) {
  return CLI::Validator(
      [zero_allowed](std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value) || !std::isfinite(value) || value > 1e15 ||
            value < 0 || (value == 0 && !zero_allowed)) {
          return fmt::format("expected a number of seconds {} 0 and <= 1e15, got {}",
                             zero_allowed ? ">=" : ">", text);
        }
        return "";
      },
      zero_allowed ? "SECONDS >= 0" : "SECONDS > 0");
}

// Options shared by the commands that simulate a scenario.
struct RunOptions {
  std::string scenario;
  std::optional<std::uint64_t> seed;
  std::optional<int> replications;
  std::optional<double> duration;
  std::optional<double> warmup;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string format = "table";
  std::string out;
};

void add_run_options(CLI::App& command, RunOptions& options, bool with_format) {
  command.add_option("scenario", options.scenario, "Scenario file (JSON)")
      ->required()
      ->type_name("SCENARIO");
  auto* overrides = "Overrides (replace the scenario's value)";
  command.add_option("--seed", options.seed, "Base random seed")
      ->check(CLI::Range(std::uint64_t{0}, kMaxSeed))
      ->group(overrides)
      ->type_name("N");
  command
      .add_option("--replications", options.replications,
                  "Independent replications (>= 2; scenario default 5)")
      ->check(CLI::Range(2, 100000))
      ->group(overrides)
      ->type_name("N");
  command
      .add_option("--duration", options.duration,
                  "Measured simulated time per replication, after the warm-up [s]")
      ->check(finite_seconds(false))
      ->group(overrides)
      ->type_name("SECONDS");
  command
      .add_option("--warmup", options.warmup,
                  "Simulated time discarded before measuring [s] (default: duration / 10)")
      ->check(finite_seconds(true))
      ->group(overrides)
      ->type_name("SECONDS");
  auto* execution = "Execution and output";
  command
      .add_option("--threads", options.threads,
                  "Replications run in parallel; results do not depend on it")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str()
      ->group(execution)
      ->type_name("N");
  if (with_format) {
    command.add_option("--format", options.format, "Output format")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str()
        ->group(execution);
  }
  command
      .add_option("--out", options.out,
                  "Write the output to FILE (atomically: a temporary file, then rename)")
      ->group(execution)
      ->type_name("FILE");
}

models::Scenario load_with_overrides(const RunOptions& options) {
  models::Json document = models::read_scenario_document(options.scenario);
  // Overrides go into the document so they are validated and echoed like the file's own values.
  if (document.is_object()) {
    if (options.seed) document["seed"] = *options.seed;
    if (options.replications) document["replications"] = *options.replications;
    if (options.duration) document["duration"] = *options.duration;
    if (options.warmup) document["warmup"] = *options.warmup;
  }
  return models::parse_scenario(std::move(document), options.scenario);
}

models::RunResult simulate(const models::Scenario& scenario, int threads) {
  const auto start = std::chrono::steady_clock::now();
  models::RunResult result = models::run_experiment(scenario, threads);
  if (isatty(fileno(stderr))) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print(stderr, "simulated {} events in {:.2f} s on {} thread(s)\n", result.events, seconds,
               std::min(threads, scenario.replications));
  }
  return result;
}

void emit(const RunOptions& options, const std::string& text) {
  if (options.out.empty()) {
    fmt::print("{}", text);
  } else {
    models::write_file_atomically(options.out, text);
  }
}

int command_run(const RunOptions& options) {
  const models::Scenario scenario = load_with_overrides(options);
  const models::RunResult result = simulate(scenario, options.threads);
  emit(options, options.format == "json" ? models::to_json(scenario, result).dump(2) + "\n"
                                         : models::format_table(scenario, result));
  return kExitOk;
}

int command_validate(const RunOptions& options) {
  const models::Scenario scenario = load_with_overrides(options);
  const models::RunResult result = simulate(scenario, options.threads);
  const models::Validation validation = models::validate(scenario, result);
  emit(options, models::format_validation(scenario, validation));
  return validation.passed() ? kExitOk : kExitCheckFailed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "capsim: discrete-event simulation for capacity planning, checked against "
      "queueing theory"};
  app.set_version_flag("--version",
                       fmt::format("capsim {} ({})", models::version(), models::git_revision()));
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 success, 1 a check failed, 2 bad input, 4 internal error.\n"
      "Run 'capsim COMMAND --help' for a command's options.");

  RunOptions run_options;
  auto* run = app.add_subcommand("run",
                                 "Simulate a scenario and print per-node results with "
                                 "confidence intervals");
  add_run_options(*run, run_options, true);

  RunOptions validate_options;
  auto* validate =
      app.add_subcommand("validate",
                         "Simulate a scenario and compare it with queueing theory and Little's law "
                         "(exit 1 on disagreement)");
  add_run_options(*validate, validate_options, false);

  std::uint64_t bench_requests = 10'000'000;
  std::uint64_t bench_seed = 1;
  auto* bench =
      app.add_subcommand("bench", "Measure engine speed: M/M/1 and M/M/4 at rho 0.9 on one thread");
  bench->add_option("--requests", bench_requests, "Requests per model")
      ->check(CLI::Range(std::uint64_t{1000}, std::uint64_t{10'000'000'000}))
      ->capture_default_str();
  bench->add_option("--seed", bench_seed, "Random seed")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    if (argc > 1 && app.get_subcommands().empty() && argv[1][0] != '-') {
      message = fmt::format("unknown command \"{}\", expected run, validate or bench", argv[1]);
    }
    fmt::print(stderr, "capsim: error: {}\nRun 'capsim --help' for usage.\n", message);
    return kExitBadInput;
  }

  try {
    if (*run) return command_run(run_options);
    if (*validate) return command_validate(validate_options);
    if (*bench) return capsim::tools::run_bench(bench_requests, bench_seed);
  } catch (const models::InputError& e) {
    fmt::print(stderr, "capsim: error: {}\n", e.what());
    return kExitBadInput;
  } catch (const models::OutputError& e) {
    fmt::print(stderr, "capsim: error: {}\n", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "capsim: internal error: {}\n", e.what());
    return kExitInternalError;
  }
  return kExitOk;
}
