#pragma once
// Presenting results: a readable table for terminals and a stable JSON document for programs.

#include <string>

#include "models/io/output_file.hpp"
#include "models/io/text_format.hpp"
#include "models/io/version.hpp"
#include "models/scenario/scenario.hpp"
#include "models/workflows/experiment.hpp"

namespace capsim::models {

/// Per-node tables with confidence intervals.
std::string format_table(const Scenario& scenario, const RunResult& result);

/// The documented JSON result (see README, "JSON result"). Keys are in a fixed order and numbers
/// are printed exactly, so equal inputs give byte-identical output.
Json to_json(const Scenario& scenario, const RunResult& result);

/// {"nodes": [...], "end_to_end": {...}}: the per-node part of to_json.
Json results_json(const RunResult& result);

}  // namespace capsim::models
