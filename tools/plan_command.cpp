// `capsim plan`: the smallest capacity (e.g. servers) that meets every SLO with confidence.

#include <fmt/format.h>

#include <cstdint>

#include "models/workflows/capacity_plan.hpp"
#include "tools/commands.hpp"

namespace capsim::tools {

namespace {

struct PlanOptions {
  RunOptions run;
  std::string search;  ///< --search PATH=LO..HI
};

// --search's PATH=LO..HI.
struct SearchRange {
  std::string path;
  std::int64_t low = 0;
  std::int64_t high = 0;
};

SearchRange parse_search(const std::string& search) {
  const auto equals = search.find('=');
  const auto dots = search.find("..", equals == std::string::npos ? 0 : equals);
  SearchRange range;
  if (equals == std::string::npos || dots == std::string::npos ||
      !CLI::detail::lexical_cast(search.substr(equals + 1, dots - equals - 1), range.low) ||
      !CLI::detail::lexical_cast(search.substr(dots + 2), range.high) || range.low > range.high ||
      range.low < 0) {
    throw models::InputError(fmt::format(
        "--search {}: found no PATH=LO..HI, expected e.g. nodes.web.servers=1..64", search));
  }
  range.path = search.substr(0, equals);
  return range;
}

int plan_smallest_capacity(const PlanOptions& plan) {
  const RunOptions& options = plan.run;
  check_outputs(options);
  const Loaded loaded = load_document(options);
  require_slos(loaded, options);
  const SearchRange range = parse_search(plan.search);
  const auto report =
      models::plan_capacity(loaded.document, options.scenario, loaded.overrides, range.path,
                            range.low, range.high, evaluator(loaded, options));
  emit(options, models::format_search(report, range.path.c_str()));
  return report.answer ? kExitOk : kExitCheckFailed;
}

void add_plan_options(CLI::App& plan, PlanOptions& options) {
  add_scenario_options(plan, options.run);
  add_precision_options(plan, options.run, false);
  plan.add_option("--search", options.search,
                  "PATH=LO..HI, an integer parameter where more never hurts")
      ->required()
      ->group("Search")
      ->type_name("PATH=LO..HI");
  add_out_option(plan, options.run, "Write the report to FILE (atomically)");
}

}  // namespace

Command add_plan_command(CLI::App& app) {
  return add_command(
      app, "plan", "Find the smallest capacity (e.g. servers) that meets every SLO with confidence",
      add_plan_options, plan_smallest_capacity);
}

}  // namespace capsim::tools
