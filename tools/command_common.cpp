#include "tools/command_common.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <stdexcept>

#include "models/nodes/network.hpp"
#include "models/workflows/slo_check.hpp"

namespace capsim::tools {

namespace {

// Interrupted by a signal: 128 + its number, as a shell reports it (130 SIGINT, 143 SIGTERM).
constexpr int kExitSignalBase = 128;

// The scenario loader's limit: seeds stay exact as JSON numbers.
constexpr std::uint64_t kMaxSeed = 9'000'000'000'000'000;

// Set by SIGINT or SIGTERM; simulations poll it and stop (see Interrupted).
std::atomic<bool> interrupt_flag{false};
std::atomic<int> interrupting_signal{0};
extern "C" void on_interrupt(int signal) {
  interrupting_signal = signal;
  interrupt_flag = true;
}

void install_signal_handlers() {
  struct sigaction action = {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // Beyond a file size limit (ulimit -f), write() then fails with EFBIG and the writer reports
  // it, instead of the process being killed with a partial temporary file left behind.
  std::signal(SIGXFSZ, SIG_IGN);
}

// "run, validate, ... or bench": the subcommands, in the order of the help.
std::string command_names(CLI::App& app) {
  std::string names;
  const auto commands = app.get_subcommands({});
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (i > 0) names += i + 1 == commands.size() ? " or " : ", ";
    names += commands[i]->get_name();
  }
  return names;
}

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

const char* const kOverridesGroup =
    "What-if overrides (validated like the file; echoed in JSON output)";

// One of the options that override a value of the scenario file, `check`ed as the file is.
template <typename Value>
void add_override(CLI::App& command, const char* name, std::optional<Value>& value,
                  const char* description, const CLI::Validator& check, const char* type) {
  command.add_option(name, value, description)
      ->check(check)
      ->group(kOverridesGroup)
      ->type_name(type);
}

}  // namespace

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help or --version: printed by exit
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    if (argc > 1 && app.get_subcommands().empty() && argv[1][0] != '-') {
      message = fmt::format("unknown command \"{}\", expected {}", argv[1], command_names(app));
    }
    fmt::print(stderr, "capsim: error: {}\nRun 'capsim --help' for usage.\n", message);
    return kExitBadInput;
  }
  return std::nullopt;
}

int run_chosen(const std::vector<Command>& commands) {
  install_signal_handlers();
  try {
    for (const Command& command : commands) {
      if (*command.app) return command.run();
    }
    throw std::logic_error("no command chosen");  // unreachable: capsim requires one
  } catch (const models::InputError& e) {
    fmt::print(stderr, "capsim: error: {}\n", e.what());
    return kExitBadInput;
  } catch (const models::OutputError& e) {
    fmt::print(stderr, "capsim: error: {}\n", e.what());
    return kExitBadInput;
  } catch (const models::Interrupted&) {
    // A result from some replications only would be wrong, so nothing is printed or written.
    fmt::print(stderr,
               "capsim: interrupted by {}: stopped before the result was complete; "
               "nothing was written\n",
               signal_name());
    return interrupted_exit_code();
  } catch (const std::exception& e) {
    fmt::print(stderr, "capsim: internal error: {}\n", e.what());
    return kExitInternalError;
  }
}

const std::atomic<bool>& interrupted() {
  return interrupt_flag;
}

int interrupted_exit_code() {
  return kExitSignalBase + interrupting_signal.load();
}

const char* signal_name() {
  return interrupting_signal.load() == SIGTERM ? "SIGTERM" : "SIGINT";
}

void add_scenario_options(CLI::App& command, RunOptions& options) {
  command.add_option("scenario", options.scenario, "Scenario file (JSON)")
      ->required()
      ->type_name("SCENARIO");
  command
      .add_option("--set", options.sets,
                  "Override a value: PATH=VALUE, PATH as nodes.web.servers or a JSON pointer "
                  "(/nodes/1/servers); VALUE as JSON (8, 0.5, \"x\", {...}). Repeatable")
      ->group(kOverridesGroup)
      ->type_name("PATH=VALUE");
  add_override(command, "--seed", options.seed, "Base random seed",
               CLI::Range(std::uint64_t{0}, kMaxSeed), "N");
  add_override(command, "--replications", options.replications,
               "Independent replications (>= 2; scenario default 5)", CLI::Range(2, 100000), "N");
  add_override(command, "--duration", options.duration,
               "Measured simulated time per replication, after the warm-up [s]",
               finite_seconds(false), "SECONDS");
  add_override(command, "--warmup", options.warmup,
               "Simulated time discarded before measuring [s] (default: duration / 10)",
               finite_seconds(true), "SECONDS");
  command
      .add_option("--threads", options.threads,
                  "Threads for replications; results do not depend on it")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str()
      ->group("Execution")
      ->type_name("N");
}

void add_precision_options(CLI::App& command, RunOptions& options, bool metrics) {
  const char* const group = "Precision (Law & Kelton's sequential procedure)";
  auto* precision =
      command
          .add_option("--precision", options.precision,
                      metrics ? "Add replications until the target metrics' relative error is "
                                "at most REL with 95% confidence, e.g. 0.02"
                              : "Add replications until every SLO metric's relative error is "
                                "at most REL with 95% confidence, e.g. 0.02")
          ->check(CLI::Validator(
              [](std::string& text) -> std::string {
                double value = 0;
                if (!CLI::detail::lexical_cast(text, value) || !(value > 0 && value < 1)) {
                  return fmt::format("expected a relative error in (0, 1), e.g. 0.02, got {}",
                                     text);
                }
                return "";
              },
              "REL in (0, 1)"))
          ->group(group)
          ->type_name("REL");
  command
      .add_option("--max-replications", options.max_replications,
                  fmt::format("Budget of --precision: at most N replications (default {}; no fewer "
                              "than it starts with: the scenario's replications, at least {})",
                              models::kDefaultBudget, models::kMinStartReplications))
      ->check(CLI::Range(2, 100000))
      ->needs(precision)
      ->group(group)
      ->type_name("N");
  if (metrics) {
    command
        .add_option("--precision-metric", options.precision_metrics,
                    "[NODE:]METRIC that --precision aims at (no NODE: end to end), e.g. W or "
                    "web:utilization; repeatable (default: end-to-end throughput, W, "
                    "sojourn.p50 and sojourn.p99)")
        ->needs(precision)
        ->group(group)
        ->type_name("[NODE:]METRIC");
  }
}

std::optional<models::PrecisionGoal> precision_goal(const RunOptions& options,
                                                    const models::Scenario& scenario,
                                                    std::vector<models::PrecisionTarget> targets) {
  if (!options.precision) return std::nullopt;
  models::PrecisionGoal goal;
  goal.relative_error = *options.precision;
  goal.targets = std::move(targets);
  const std::size_t start = models::starting_replications(scenario);
  goal.budget = std::max(models::kDefaultBudget, start);
  if (options.max_replications) {
    goal.budget = static_cast<std::size_t>(*options.max_replications);
    if (goal.budget < start) {
      throw models::InputError(fmt::format(
          "--max-replications {}: found {}, expected at least {}, the replications --precision "
          "starts with (the scenario's {}, at least {})",
          goal.budget, goal.budget, start, scenario.replications, models::kMinStartReplications));
    }
  }
  return goal;
}

void add_format_option(CLI::App& command, RunOptions& options) {
  command.add_option("--format", options.format, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str()
      ->group("Output");
}

void add_out_option(CLI::App& command, RunOptions& options, const char* what) {
  command.add_option("--out", options.out, what)->group("Output")->type_name("FILE");
  command.add_flag("--force", options.force, "Overwrite output files that exist already")
      ->group("Output");
}

void check_outputs(const RunOptions& options, std::initializer_list<std::string> extra) {
  if (!options.out.empty()) models::check_output_path(options.out, options.existing());
  for (const auto& path : extra) {
    if (!path.empty()) models::check_output_path(path, options.existing());
  }
}

Loaded load_document(const RunOptions& options) {
  Loaded loaded{models::read_scenario_document(options.scenario), {}};
  if (!loaded.document.is_object()) return loaded;  // parse_scenario reports it
  for (const auto& set : options.sets) {
    loaded.overrides.push_back(models::resolve_override(loaded.document, set));
  }
  auto named = [&](const char* key, const models::Json& value, const char* option) {
    loaded.overrides.push_back(
        {fmt::format("{} {}", option, value.dump()), std::string("/") + key, value});
  };
  if (options.seed) named("seed", *options.seed, "--seed");
  if (options.replications) named("replications", *options.replications, "--replications");
  if (options.duration) named("duration", *options.duration, "--duration");
  if (options.warmup) named("warmup", *options.warmup, "--warmup");
  return loaded;
}

models::Scenario parse_overridden(const models::Json& document, const std::string& file,
                                  const std::vector<models::Override>& overrides) {
  models::Json edited = document;
  models::apply_overrides(edited, overrides);
  return models::parse_with_overrides(overrides,
                                      [&] { return models::parse_scenario(edited, file); });
}

void print_warnings(const std::vector<std::string>& warnings) {
  for (const auto& warning : warnings) fmt::print(stderr, "capsim: warning: {}\n", warning);
}

models::Scenario load_scenario(const RunOptions& options) {
  const Loaded loaded = load_document(options);
  models::Scenario scenario = parse_overridden(loaded.document, options.scenario, loaded.overrides);
  print_warnings(scenario.warnings);
  return scenario;
}

models::RunResult simulate(const models::Scenario& scenario, int threads,
                           const std::optional<models::PrecisionGoal>& goal) {
  const auto start = std::chrono::steady_clock::now();
  models::RunResult result = goal
                                 ? models::run_to_precision(scenario, *goal, threads, interrupted())
                                 : models::run_experiment(scenario, threads, interrupted());
  if (stderr_is_terminal()) {
    fmt::print(stderr, "simulated {} events in {:.2f} s on {} thread(s)\n", result.events,
               seconds_since(start), std::min<std::size_t>(threads, result.replications.size()));
  }
  return result;
}

Simulated simulate_scenario(const RunOptions& options) {
  check_outputs(options);
  models::Scenario scenario = load_scenario(options);
  std::vector<models::PrecisionTarget> targets;
  for (const auto& text : options.precision_metrics) {
    targets.push_back(models::parse_target(scenario, text, "--precision-metric"));
  }
  if (targets.empty()) targets = models::default_targets(scenario);
  const auto goal = precision_goal(options, scenario, std::move(targets));
  models::RunResult result = simulate(scenario, options.threads, goal);
  return {std::move(scenario), std::move(result)};
}

void emit(const RunOptions& options, const std::string& text) {
  if (options.out.empty()) {
    fmt::print("{}", text);
  } else {
    models::write_file_atomically(options.out, text, options.existing());
  }
}

bool stderr_is_terminal() {
  return isatty(fileno(stderr)) != 0;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void require_slos(const Loaded& loaded, const RunOptions& options) {
  const models::Scenario scenario =
      parse_overridden(loaded.document, options.scenario, loaded.overrides);
  print_warnings(scenario.warnings);
  if (scenario.slos.empty()) {
    throw models::InputError(
        fmt::format("{}: /slo: found no objectives, expected a \"slo\" list to search against",
                    options.scenario));
  }
}

models::Evaluate evaluator(const Loaded& loaded, const RunOptions& options) {
  return [&loaded, &options](const std::vector<models::Override>& extra) {
    const models::Scenario scenario = parse_overridden(loaded.document, options.scenario, extra);
    const auto goal = precision_goal(options, scenario, models::slo_targets(scenario));
    const models::RunResult result =
        goal ? models::run_to_precision(scenario, *goal, options.threads, interrupted())
             : models::run_experiment(scenario, options.threads, interrupted());
    if (stderr_is_terminal()) fmt::print(stderr, "simulated {}\n", extra.back().text);
    if (goal) {
      for (const auto& warning : models::precision_warnings(*result.precision)) {
        fmt::print(stderr, "capsim: warning: {}: {}\n", extra.back().text, warning);
      }
    }
    return models::evaluate_slos(scenario.slos, result);
  };
}

}  // namespace capsim::tools
