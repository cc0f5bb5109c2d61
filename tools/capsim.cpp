// capsim: the command line. Thin: parse options, call the library, print.

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "models/io/overrides.hpp"
#include "models/scenario/scenario.hpp"
#include "models/workflows/capacity_plan.hpp"
#include "models/workflows/compare.hpp"
#include "models/workflows/experiment.hpp"
#include "models/workflows/report.hpp"
#include "models/workflows/slo_check.hpp"
#include "models/workflows/sweep.hpp"
#include "models/workflows/validate.hpp"
#include "tools/bench.hpp"
#include "tools/theory_command.hpp"

namespace {

namespace models = capsim::models;

// Exit codes, documented in README.
constexpr int kExitOk = 0;
constexpr int kExitCheckFailed = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitInconclusive = 3;
constexpr int kExitInternalError = 4;
// Interrupted by a signal: 128 + its number, as a shell reports it (130 SIGINT, 143 SIGTERM).
constexpr int kExitSignalBase = 128;

// The scenario loader's limit: seeds stay exact as JSON numbers.
constexpr std::uint64_t kMaxSeed = 9'000'000'000'000'000;

// Set by SIGINT or SIGTERM; simulations poll it and stop (see Interrupted).
std::atomic<bool> interrupted{false};
std::atomic<int> interrupting_signal{0};
extern "C" void on_interrupt(int signal) {
  interrupting_signal = signal;
  interrupted = true;
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

int interrupted_exit_code() {
  return kExitSignalBase + interrupting_signal.load();
}

const char* signal_name() {
  return interrupting_signal.load() == SIGTERM ? "SIGTERM" : "SIGINT";
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

// Options shared by the commands that simulate a scenario.
struct RunOptions {
  std::string scenario;
  std::vector<std::string> sets;
  std::optional<std::uint64_t> seed;
  std::optional<int> replications;
  std::optional<double> duration;
  std::optional<double> warmup;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string format = "table";
  std::string out;
  bool force = false;  ///< --force: outputs may replace existing files

  models::Existing existing() const {
    return force ? models::Existing::replace : models::Existing::keep;
  }
};

void add_scenario_options(CLI::App& command, RunOptions& options) {
  command.add_option("scenario", options.scenario, "Scenario file (JSON)")
      ->required()
      ->type_name("SCENARIO");
  auto* overrides = "What-if overrides (validated like the file; echoed in JSON output)";
  command
      .add_option("--set", options.sets,
                  "Override a value: PATH=VALUE, PATH as nodes.web.servers or a JSON pointer "
                  "(/nodes/1/servers); VALUE as JSON (8, 0.5, \"x\", {...}). Repeatable")
      ->group(overrides)
      ->type_name("PATH=VALUE");
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
  command
      .add_option("--threads", options.threads,
                  "Threads for replications; results do not depend on it")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str()
      ->group("Execution")
      ->type_name("N");
}

void add_out_option(CLI::App& command, RunOptions& options, const char* what) {
  command.add_option("--out", options.out, what)->group("Output")->type_name("FILE");
  command.add_flag("--force", options.force, "Overwrite output files that exist already")
      ->group("Output");
}

// Outputs are checked before anything is simulated, so a long run does not end in "exists".
void check_outputs(const RunOptions& options, std::initializer_list<std::string> extra = {}) {
  if (!options.out.empty()) models::check_output_path(options.out, options.existing());
  for (const auto& path : extra) {
    if (!path.empty()) models::check_output_path(path, options.existing());
  }
}

// The scenario document with every override resolved: --set first, then the named options.
struct Loaded {
  models::Json document;
  std::vector<models::Override> overrides;
};

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

models::Scenario parse(const models::Json& document, const std::string& file,
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
  models::Scenario scenario = parse(loaded.document, options.scenario, loaded.overrides);
  print_warnings(scenario.warnings);
  return scenario;
}

models::RunResult simulate(const models::Scenario& scenario, int threads) {
  const auto start = std::chrono::steady_clock::now();
  models::RunResult result = models::run_experiment(scenario, threads, interrupted);
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
    models::write_file_atomically(options.out, text, options.existing());
  }
}

int command_run(const RunOptions& options) {
  check_outputs(options);
  const models::Scenario scenario = load_scenario(options);
  const models::RunResult result = simulate(scenario, options.threads);
  emit(options, options.format == "json" ? models::dump_document(models::to_json(scenario, result))
                                         : models::format_table(scenario, result));
  return kExitOk;
}

int command_validate(const RunOptions& options) {
  check_outputs(options);
  const models::Scenario scenario = load_scenario(options);
  const models::RunResult result = simulate(scenario, options.threads);
  const models::Validation validation = models::validate(scenario, result);
  emit(options, models::format_validation(scenario, validation));
  return validation.passed() ? kExitOk : kExitCheckFailed;
}

int command_check(const RunOptions& options, const std::string& junit) {
  check_outputs(options, {junit});
  const models::Scenario scenario = load_scenario(options);
  if (scenario.slos.empty()) {
    throw models::InputError(
        fmt::format("{}: /slo: found no objectives, expected a \"slo\" list such as [{{\"metric\": "
                    "\"sojourn.p99\", \"max\": 0.25}}]",
                    scenario.file));
  }
  const models::RunResult result = simulate(scenario, options.threads);
  const auto outcomes = models::evaluate_slos(scenario.slos, result);
  emit(options, fmt::format("{} ({}): {} replications of {} s; 95% confidence intervals\n\n{}",
                            scenario.name, scenario.file, scenario.replications,
                            models::format_number(scenario.duration, 6),
                            models::format_slo_table(outcomes)));
  if (!junit.empty())
    models::write_file_atomically(junit, models::junit_report(scenario.name, outcomes),
                                  options.existing());
  const int code = models::exit_code(outcomes);
  if (code == kExitInconclusive) {
    fmt::print(stderr,
               "inconclusive: a confidence interval straddles its threshold; run longer "
               "(--duration) or with more --replications\n");
  }
  return code;
}

// Sweep outputs: FILE.csv and FILE.json side by side, whichever extension was given.
std::pair<std::string, std::string> sweep_outputs(const std::string& out) {
  std::filesystem::path path(out);
  std::filesystem::path csv = path, json = path;
  if (path.extension() == ".json") {
    csv.replace_extension(".csv");
  } else {
    json.replace_extension(".json");
  }
  return {csv.string(), json.string()};
}

int command_sweep(const RunOptions& options, const std::vector<std::string>& varies, bool resume) {
  const Loaded loaded = load_document(options);
  std::vector<models::SweepAxis> axes;
  for (const auto& vary : varies) axes.push_back(models::parse_vary(vary));
  models::Sweep sweep =
      models::plan_sweep(loaded.document, options.scenario, loaded.overrides, axes);
  print_warnings(sweep.warnings);
  const auto [csv_path, json_path] =
      options.out.empty() ? std::pair<std::string, std::string>{} : sweep_outputs(options.out);
  // --resume reuses the sweep's own output; once written, the sweep rewrites its files.
  models::Existing existing = resume ? models::Existing::replace : options.existing();
  for (const auto& path : {json_path, csv_path}) {
    if (!path.empty()) models::check_output_path(path, existing);
  }
  if (resume) {
    if (json_path.empty())
      throw models::InputError(
          "--resume: found no --out, expected the output of the interrupted sweep");
    std::ifstream previous(json_path);
    if (previous) {
      std::stringstream text;
      text << previous.rdbuf();
      models::resume_sweep(sweep, models::parse_json_text(text.str(), json_path), json_path);
    }
  }

  const bool progress_bar = isatty(fileno(stderr));
  const auto start = std::chrono::steady_clock::now();
  // Init-captures: clang before 16 cannot capture structured bindings.
  auto write = [&, &csv = csv_path, &json = json_path] {
    if (csv.empty()) return;
    models::write_file_atomically(json, models::dump_document(models::sweep_json(sweep)), existing);
    models::write_file_atomically(csv, models::sweep_csv(sweep), existing);
    existing = models::Existing::replace;
  };
  models::run_sweep(sweep, options.threads, interrupted, [&](const models::SweepProgress& p) {
    write();  // after every point, so an interruption keeps all finished points
    if (!progress_bar) return;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double done = static_cast<double>(p.finished_runs) / static_cast<double>(p.total_runs);
    const int width = 30;
    const int filled = static_cast<int>(done * width);
    const double eta = done > 0 ? elapsed * (1 - done) / done : 0;
    fmt::print(stderr, "\r[{}{}] {}/{} points, ETA {:.0f} s ",
               std::string(static_cast<std::size_t>(filled), '#'),
               std::string(static_cast<std::size_t>(width - filled), '-'), p.finished_points,
               p.total_points, eta);
  });
  if (progress_bar) fmt::print(stderr, "\n");
  write();
  if (csv_path.empty()) fmt::print("{}", models::sweep_csv(sweep));
  // A signal after the last point finished stopped nothing: the sweep is complete, exit 0.
  const bool complete =
      std::all_of(sweep.points.begin(), sweep.points.end(),
                  [](const models::SweepPoint& point) { return point.output.has_value(); });
  if (interrupted && !complete) {
    fmt::print(stderr,
               "capsim: interrupted by {}: finished points are kept{}; rerun with --resume to "
               "complete\n",
               signal_name(), csv_path.empty() ? "" : " in " + csv_path);
    return interrupted_exit_code();
  }
  return kExitOk;
}

models::Evaluate evaluator(const Loaded& loaded, const RunOptions& options) {
  return [&loaded, &options](const std::vector<models::Override>& extra) {
    const models::Scenario scenario = parse(loaded.document, options.scenario, extra);
    const auto outcomes = models::evaluate_slos(
        scenario.slos, models::run_experiment(scenario, options.threads, interrupted));
    if (isatty(fileno(stderr))) fmt::print(stderr, "simulated {}\n", extra.back().text);
    return outcomes;
  };
}

void require_slos(const Loaded& loaded, const RunOptions& options) {
  const models::Scenario scenario = parse(loaded.document, options.scenario, loaded.overrides);
  print_warnings(scenario.warnings);
  if (scenario.slos.empty()) {
    throw models::InputError(
        fmt::format("{}: /slo: found no objectives, expected a \"slo\" list to search against",
                    options.scenario));
  }
}

int command_plan(const RunOptions& options, const std::string& search) {
  check_outputs(options);
  const Loaded loaded = load_document(options);
  require_slos(loaded, options);
  const auto equals = search.find('=');
  const auto dots = search.find("..", equals == std::string::npos ? 0 : equals);
  std::int64_t low = 0, high = 0;
  if (equals == std::string::npos || dots == std::string::npos ||
      !CLI::detail::lexical_cast(search.substr(equals + 1, dots - equals - 1), low) ||
      !CLI::detail::lexical_cast(search.substr(dots + 2), high) || low > high || low < 0) {
    throw models::InputError(fmt::format(
        "--search {}: found no PATH=LO..HI, expected e.g. nodes.web.servers=1..64", search));
  }
  const auto report =
      models::plan_capacity(loaded.document, options.scenario, loaded.overrides,
                            search.substr(0, equals), low, high, evaluator(loaded, options));
  emit(options, models::format_search(report, search.substr(0, equals).c_str()));
  return report.answer ? kExitOk : kExitCheckFailed;
}

int command_headroom(const RunOptions& options, const std::string& path, double precision,
                     double max_factor) {
  check_outputs(options);
  const Loaded loaded = load_document(options);
  require_slos(loaded, options);
  const auto report =
      models::find_headroom(loaded.document, options.scenario, loaded.overrides, path, precision,
                            max_factor, evaluator(loaded, options));
  emit(options, models::format_search(report, "load factor"));
  return report.answer ? kExitOk : kExitCheckFailed;
}

int command_compare(const RunOptions& options, const std::string& candidate_file,
                    const std::vector<std::string>& base_sets,
                    const std::vector<std::string>& candidate_sets, const std::string& format) {
  RunOptions base_options = options;
  base_options.sets.insert(base_options.sets.end(), base_sets.begin(), base_sets.end());
  RunOptions candidate_options = options;
  if (!candidate_file.empty()) candidate_options.scenario = candidate_file;
  candidate_options.sets.insert(candidate_options.sets.end(), candidate_sets.begin(),
                                candidate_sets.end());
  if (candidate_file.empty() && candidate_sets.empty()) {
    throw models::InputError(
        "compare: found one scenario and no --candidate-set, expected a CANDIDATE file or "
        "--candidate-set PATH=VALUE");
  }
  check_outputs(options);
  const models::Scenario base = load_scenario(base_options);
  const models::Scenario candidate = load_scenario(candidate_options);
  if (base.replications != candidate.replications || base.seed != candidate.seed) {
    throw models::InputError(fmt::format(
        "{}: found seed {} with {} replications against seed {} with {} in {}, expected the same "
        "seed and replications (common random numbers); use --seed and --replications",
        candidate.file, candidate.seed, candidate.replications, base.seed, base.replications,
        base.file));
  }
  const auto comparison = models::compare_runs(base, simulate(base, options.threads), candidate,
                                               simulate(candidate, options.threads));
  emit(options, format == "json" ? models::dump_document(models::comparison_json(comparison))
                                 : models::format_comparison(comparison));
  return kExitOk;
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
      "Exit codes: 0 success, 1 a check failed or an SLO is violated, 2 bad input, 3 "
      "inconclusive (run longer), 4 internal error, 130 interrupted (SIGINT), 143 terminated "
      "(SIGTERM).\n"
      "Run 'capsim COMMAND --help' for a command's options.");

  RunOptions run_options;
  auto* run = app.add_subcommand(
      "run", "Simulate a scenario and print per-node results with confidence intervals");
  add_scenario_options(*run, run_options);
  run->add_option("--format", run_options.format, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str()
      ->group("Output");
  add_out_option(*run, run_options,
                 "Write the output to FILE (atomically: a temporary file, then rename)");

  RunOptions validate_options;
  auto* validate = app.add_subcommand("validate",
                                      "Compare a simulation with queueing theory, Little's law and "
                                      "flow balance (exit 1 on disagreement)");
  add_scenario_options(*validate, validate_options);
  add_out_option(*validate, validate_options, "Write the report to FILE (atomically)");

  RunOptions check_options;
  std::string junit;
  auto* check = app.add_subcommand("check",
                                   "Gate a rollout on the scenario's SLOs: exit 0 met, 1 violated, "
                                   "3 inconclusive (95% confidence)");
  add_scenario_options(*check, check_options);
  add_out_option(*check, check_options, "Write the report to FILE (atomically)");
  check->add_option("--junit", junit, "Also write a JUnit XML report to FILE")
      ->group("Output")
      ->type_name("FILE");

  RunOptions sweep_options;
  std::vector<std::string> varies;
  bool resume = false;
  auto* sweep = app.add_subcommand(
      "sweep",
      "Run a scenario over a grid of parameter values (common random numbers) and write "
      "one row per point and node");
  add_scenario_options(*sweep, sweep_options);
  sweep
      ->add_option("--vary", varies,
                   "PATH=FROM:TO:STEP (inclusive) or PATH=V1,V2,...; several give the cartesian "
                   "product; default: the scenario's \"sweep\"")
      ->group("Sweep")
      ->type_name("PATH=VALUES");
  add_out_option(*sweep, sweep_options,
                 "Write FILE.csv and FILE.json (rewritten atomically after every point); default: "
                 "CSV on stdout");
  sweep
      ->add_flag("--resume", resume,
                 "Skip the points already in --out's JSON (after an interruption)")
      ->group("Sweep");

  RunOptions plan_options;
  std::string search;
  auto* plan = app.add_subcommand(
      "plan", "Find the smallest capacity (e.g. servers) that meets every SLO with confidence");
  add_scenario_options(*plan, plan_options);
  plan->add_option("--search", search, "PATH=LO..HI, an integer parameter where more never hurts")
      ->required()
      ->group("Search")
      ->type_name("PATH=LO..HI");
  add_out_option(*plan, plan_options, "Write the report to FILE (atomically)");

  RunOptions headroom_options;
  std::string scale;
  double precision = 0.02;
  double max_factor = 16;
  auto* headroom = app.add_subcommand(
      "headroom", "Find the largest load factor that still meets every SLO with confidence");
  add_scenario_options(*headroom, headroom_options);
  headroom
      ->add_option("--scale", scale,
                   "PATH of the load to scale: a rate (multiplied) or a mean time between "
                   "arrivals (divided), e.g. nodes.users.arrival.rate")
      ->required()
      ->group("Search")
      ->type_name("PATH");
  headroom->add_option("--precision", precision, "Relative precision of the factor")
      ->check(CLI::Range(0.001, 0.5))
      ->capture_default_str()
      ->group("Search");
  headroom->add_option("--max-factor", max_factor, "Largest factor tried")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str()
      ->group("Search");
  add_out_option(*headroom, headroom_options, "Write the report to FILE (atomically)");

  RunOptions compare_options;
  std::string candidate_file;
  std::vector<std::string> base_sets, candidate_sets;
  std::string compare_format = "table";
  auto* compare = app.add_subcommand(
      "compare",
      "Compare two variants with common random numbers: paired differences and a verdict");
  add_scenario_options(*compare, compare_options);
  compare
      ->add_option("candidate", candidate_file,
                   "Candidate scenario (default: SCENARIO with --candidate-set)")
      ->type_name("CANDIDATE");
  compare->add_option("--base-set", base_sets, "Override for the base only (PATH=VALUE)")
      ->group("Variants")
      ->type_name("PATH=VALUE");
  compare
      ->add_option("--candidate-set", candidate_sets,
                   "Override for the candidate only (PATH=VALUE)")
      ->group("Variants")
      ->type_name("PATH=VALUE");
  compare->add_option("--format", compare_format, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str()
      ->group("Output");
  add_out_option(*compare, compare_options, "Write the report to FILE (atomically)");

  const auto run_theory = capsim::tools::add_theory_command(app);

  std::uint64_t bench_requests = 10'000'000;
  std::uint64_t bench_seed = 1;
  auto* bench =
      app.add_subcommand("bench", "Measure engine speed on reference models beside a hand-written M/M/c loop (one thread)");
  bench->add_option("--requests", bench_requests, "Requests per model")
      ->check(CLI::Range(std::uint64_t{1000}, std::uint64_t{10'000'000'000}))
      ->capture_default_str();
  bench->add_option("--seed", bench_seed, "Random seed")->capture_default_str();
  std::string bench_only;
  bench->add_option("--only", bench_only, "Run only the models whose name contains TEXT")->type_name("TEXT");
  int bench_rounds = 5;
  bench->add_option("--rounds", bench_rounds,
                    "Run every model this many times, in turn, and report medians")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();

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
      message = fmt::format(
          "unknown command \"{}\", expected run, validate, check, sweep, plan, "
          "headroom, compare, theory or bench",
          argv[1]);
    }
    fmt::print(stderr, "capsim: error: {}\nRun 'capsim --help' for usage.\n", message);
    return kExitBadInput;
  }

  install_signal_handlers();
  try {
    if (*run) return command_run(run_options);
    if (*validate) return command_validate(validate_options);
    if (*check) return command_check(check_options, junit);
    if (*sweep) return command_sweep(sweep_options, varies, resume);
    if (*plan) return command_plan(plan_options, search);
    if (*headroom) return command_headroom(headroom_options, scale, precision, max_factor);
    if (*compare)
      return command_compare(compare_options, candidate_file, base_sets, candidate_sets,
                             compare_format);
    if (*bench) return capsim::tools::run_bench(bench_requests, bench_seed, bench_only, bench_rounds);
    return run_theory();
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
