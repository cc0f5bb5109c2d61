#pragma once
// `capsim theory`: closed-form queueing results from the command line.

#include <CLI/CLI.hpp>

namespace capsim::tools {

/// Adds the `theory` subcommand and its models; returns a function that runs whichever was
/// chosen and returns the exit code.
std::function<int()> add_theory_command(CLI::App& app);

}  // namespace capsim::tools
