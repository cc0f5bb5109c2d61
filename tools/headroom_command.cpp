// `capsim headroom`: the largest load factor that still meets every SLO with confidence.

#include "models/workflows/capacity_plan.hpp"
#include "tools/commands.hpp"

namespace capsim::tools {

namespace {

struct HeadroomOptions {
  RunOptions run;
  std::string scale;  ///< --scale PATH: the load to scale
  double factor_precision = 0.02;
  double max_factor = 16;
};

int find_largest_load(const HeadroomOptions& headroom) {
  const RunOptions& options = headroom.run;
  check_outputs(options);
  const Loaded loaded = load_document(options);
  require_slos(loaded, options);
  const auto report = models::find_headroom(loaded.document, options.scenario, loaded.overrides,
                                            headroom.scale, headroom.factor_precision,
                                            headroom.max_factor, evaluator(loaded, options));
  emit(options, models::format_search(report, "load factor"));
  return report.answer ? kExitOk : kExitCheckFailed;
}

void add_headroom_options(CLI::App& headroom, HeadroomOptions& options) {
  add_scenario_options(headroom, options.run);
  add_precision_options(headroom, options.run, false);
  headroom
      .add_option("--scale", options.scale,
                  "PATH of the load to scale: a rate (multiplied) or a mean time between "
                  "arrivals (divided), e.g. nodes.users.arrival.rate")
      ->required()
      ->group("Search")
      ->type_name("PATH");
  headroom
      .add_option("--factor-precision", options.factor_precision,
                  "Relative precision of the factor found")
      ->check(CLI::Range(0.001, 0.5))
      ->capture_default_str()
      ->group("Search");
  headroom.add_option("--max-factor", options.max_factor, "Largest factor tried")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str()
      ->group("Search");
  add_out_option(headroom, options.run, "Write the report to FILE (atomically)");
}

}  // namespace

Command add_headroom_command(CLI::App& app) {
  return add_command(app, "headroom",
                     "Find the largest load factor that still meets every SLO with confidence",
                     add_headroom_options, find_largest_load);
}

}  // namespace capsim::tools
