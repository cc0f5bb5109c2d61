// `capsim compare`: two variants with common random numbers, paired differences and a verdict.

#include <fmt/format.h>

#include "models/workflows/compare.hpp"
#include "tools/commands.hpp"

namespace capsim::tools {

namespace {

struct CompareOptions {
  RunOptions run;              ///< the base; --set and the named overrides apply to both
  std::string candidate_file;  ///< empty: the base's file
  std::vector<std::string> base_sets;
  std::vector<std::string> candidate_sets;
};

// The options of one variant: the common ones with its own file (empty: the common one) and
// overrides.
RunOptions variant(const RunOptions& common, const std::string& file,
                   const std::vector<std::string>& sets) {
  RunOptions options = common;
  if (!file.empty()) options.scenario = file;
  options.sets.insert(options.sets.end(), sets.begin(), sets.end());
  return options;
}

int compare_variants(const CompareOptions& compare) {
  const RunOptions& options = compare.run;
  const RunOptions base_options = variant(options, "", compare.base_sets);
  const RunOptions candidate_options =
      variant(options, compare.candidate_file, compare.candidate_sets);
  if (compare.candidate_file.empty() && compare.candidate_sets.empty()) {
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
  emit(options, options.format == "json"
                    ? models::dump_document(models::comparison_json(comparison))
                    : models::format_comparison(comparison));
  return kExitOk;
}

void add_compare_options(CLI::App& compare, CompareOptions& options) {
  add_scenario_options(compare, options.run);
  compare
      .add_option("candidate", options.candidate_file,
                  "Candidate scenario (default: SCENARIO with --candidate-set)")
      ->type_name("CANDIDATE");
  compare.add_option("--base-set", options.base_sets, "Override for the base only (PATH=VALUE)")
      ->group("Variants")
      ->type_name("PATH=VALUE");
  compare
      .add_option("--candidate-set", options.candidate_sets,
                  "Override for the candidate only (PATH=VALUE)")
      ->group("Variants")
      ->type_name("PATH=VALUE");
  add_format_option(compare, options.run);
  add_out_option(compare, options.run, "Write the report to FILE (atomically)");
}

}  // namespace

Command add_compare_command(CLI::App& app) {
  return add_command(
      app, "compare",
      "Compare two variants with common random numbers: paired differences and a verdict",
      add_compare_options, compare_variants);
}

}  // namespace capsim::tools
