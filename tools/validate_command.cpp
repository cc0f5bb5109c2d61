// `capsim validate`: a simulation against queueing theory, Little's law and flow balance.

#include "models/workflows/validate.hpp"
#include "tools/commands.hpp"

namespace capsim::tools {

namespace {

int validate_scenario(const RunOptions& options) {
  const auto [scenario, result] = simulate_scenario(options);
  const models::Validation validation = models::validate(scenario, result, options.confidence);
  emit(options, models::format_validation(scenario, validation));
  return validation.passed() ? kExitOk : kExitCheckFailed;
}

void add_validate_options(CLI::App& validate, RunOptions& options) {
  add_scenario_options(validate, options);
  validate
      .add_option("--confidence", options.confidence,
                  "Confidence that all judged checks hold together when the model agrees with "
                  "theory (Bonferroni): 1 - LEVEL is the chance of a false DISAGREES")
      ->type_name("LEVEL")
      ->check(CLI::Validator(
          [](const std::string& text) -> std::string {
            double value = 0;
            if (!CLI::detail::lexical_cast(text, value) || !(value >= 0.5 && value < 1)) {
              return "expected a confidence level >= 0.5 and < 1, got " + text;
            }
            return "";
          },
          "LEVEL in [0.5, 1)"))
      ->capture_default_str();
  add_out_option(validate, options, "Write the report to FILE (atomically)");
}

}  // namespace

Command add_validate_command(CLI::App& app) {
  return add_command(app, "validate",
                     "Compare a simulation with queueing theory, Little's law and "
                     "flow balance (exit 1 on disagreement)",
                     add_validate_options, validate_scenario);
}

}  // namespace capsim::tools
