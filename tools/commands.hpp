#pragma once
// The subcommands of capsim, one file each (tools/*_command.cpp, tools/bench.cpp). Each function
// adds its subcommand with its options to `app` and returns the Command that runs it; main calls
// them in the order of capsim's help.

#include <CLI/CLI.hpp>

#include "tools/command_common.hpp"

namespace capsim::tools {

Command add_run_command(CLI::App& app);
Command add_validate_command(CLI::App& app);
Command add_check_command(CLI::App& app);
Command add_sweep_command(CLI::App& app);
Command add_plan_command(CLI::App& app);
Command add_headroom_command(CLI::App& app);
Command add_compare_command(CLI::App& app);
/// Closed-form queueing results, one sub-subcommand per model.
Command add_theory_command(CLI::App& app);
/// Engine speed on reference models, each in its own process on one thread, with a hand-written
/// single-purpose M/M/c loop run beside the generic engine for comparison.
Command add_bench_command(CLI::App& app);

}  // namespace capsim::tools
