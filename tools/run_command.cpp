// `capsim run`: simulate a scenario, print per-node results with confidence intervals.

#include "models/workflows/report.hpp"
#include "tools/commands.hpp"

namespace capsim::tools {

namespace {

int run_scenario(const RunOptions& options) {
  const auto [scenario, result] = simulate_scenario(options);
  emit(options, options.format == "json" ? models::dump_document(models::to_json(scenario, result))
                                         : models::format_table(scenario, result));
  return kExitOk;
}

void add_run_options(CLI::App& run, RunOptions& options) {
  add_scenario_options(run, options);
  add_precision_options(run, options, true);
  add_format_option(run, options);
  add_out_option(run, options,
                 "Write the output to FILE (atomically: a temporary file, then rename)");
}

}  // namespace

Command add_run_command(CLI::App& app) {
  return add_command(app, "run",
                     "Simulate a scenario and print per-node results with confidence intervals",
                     add_run_options, run_scenario);
}

}  // namespace capsim::tools
