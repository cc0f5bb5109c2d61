// capsim: the command line. Thin: each subcommand's file parses its options, calls the library
// and prints; main only puts them together and dispatches.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <vector>

#include "models/io/version.hpp"
#include "tools/command_common.hpp"
#include "tools/commands.hpp"

int main(int argc, char** argv) {
  namespace models = capsim::models;
  namespace tools = capsim::tools;
  CLI::App app{
      "capsim: discrete-event simulation for capacity planning, checked against "
      "queueing theory"};
  app.set_version_flag("--version",
                       fmt::format("capsim {} ({})", models::version(), models::git_revision()));
  app.require_subcommand(1);
  // Before the subcommands are added: they inherit it.
  app.footer(
      "Exit codes: 0 success, 1 a check failed or an SLO is violated, 2 bad input, 3 "
      "inconclusive (run longer), 4 internal error, 130 interrupted (SIGINT), 143 terminated "
      "(SIGTERM).\n"
      "Run 'capsim COMMAND --help' for a command's options.");

  // In the order of the help: a braced list is evaluated from left to right.
  const std::vector<tools::Command> commands = {
      tools::add_run_command(app),     tools::add_validate_command(app),
      tools::add_check_command(app),   tools::add_sweep_command(app),
      tools::add_plan_command(app),    tools::add_headroom_command(app),
      tools::add_compare_command(app), tools::add_theory_command(app),
      tools::add_bench_command(app)};
  if (const auto exit_code = tools::parse_command_line(app, argc, argv)) return *exit_code;
  return tools::run_chosen(commands);
}
