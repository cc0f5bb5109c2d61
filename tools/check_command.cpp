// `capsim check`: gate a rollout on the scenario's SLOs.

#include <fmt/format.h>

#include <cstdio>

#include "models/io/text_format.hpp"
#include "models/workflows/slo_check.hpp"
#include "tools/commands.hpp"

namespace capsim::tools {

namespace {

struct CheckOptions {
  RunOptions run;
  std::string junit;  ///< --junit FILE, empty for none
};

// The precision each SLO metric reached, and the run's warnings.
std::string after_table(const models::RunResult& result) {
  std::string out;
  if (result.precision) out += "\n" + models::format_reached(*result.precision);
  const std::vector<std::string> warnings = result.all_warnings();
  if (!warnings.empty()) out += '\n';
  for (const auto& warning : warnings) out += "warning: " + warning + "\n";
  return out;
}

int check_slos(const CheckOptions& check) {
  const RunOptions& options = check.run;
  check_outputs(options, {check.junit});
  const models::Scenario scenario = load_scenario(options);
  if (scenario.slos.empty()) {
    throw models::InputError(
        fmt::format("{}: /slo: found no objectives, expected a \"slo\" list such as [{{\"metric\": "
                    "\"sojourn.p99\", \"max\": 0.25}}]",
                    scenario.file));
  }
  const models::RunResult result = simulate(
      scenario, options.threads, precision_goal(options, scenario, models::slo_targets(scenario)));
  const auto outcomes = models::evaluate_slos(scenario.slos, result);
  emit(options, fmt::format("{} ({}): {} replications{} of {} s; 95% confidence intervals\n\n{}{}",
                            scenario.name, scenario.file, result.replications.size(),
                            result.precision ? models::precision_clause(*result.precision) : "",
                            models::format_number(scenario.duration, 6),
                            models::format_slo_table(outcomes), after_table(result)));
  if (!check.junit.empty())
    models::write_file_atomically(check.junit, models::junit_report(scenario.name, outcomes),
                                  options.existing());
  const int code = models::exit_code(outcomes);
  if (code == kExitInconclusive) {
    fmt::print(stderr,
               "inconclusive: a confidence interval straddles its threshold; run longer "
               "(--duration), with more --replications, or to a finer --precision\n");
  }
  return code;
}

void add_check_options(CLI::App& check, CheckOptions& options) {
  add_scenario_options(check, options.run);
  add_precision_options(check, options.run, false);
  add_out_option(check, options.run, "Write the report to FILE (atomically)");
  check.add_option("--junit", options.junit, "Also write a JUnit XML report to FILE")
      ->group("Output")
      ->type_name("FILE");
}

}  // namespace

Command add_check_command(CLI::App& app) {
  return add_command(app, "check",
                     "Gate a rollout on the scenario's SLOs: exit 0 met, 1 violated, "
                     "3 inconclusive (95% confidence)",
                     add_check_options, check_slos);
}

}  // namespace capsim::tools
