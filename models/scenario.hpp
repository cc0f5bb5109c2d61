#pragma once
// A scenario: the validated, wired description of a system, shared read-only by all replications.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "models/json_input.hpp"
#include "models/sink.hpp"
#include "models/source.hpp"
#include "models/station.hpp"

namespace capsim::models {

using NodeConfig = std::variant<SourceConfig, StationConfig, SinkConfig>;

struct NodeSpec {
  std::string name;
  NodeConfig config;
  std::vector<std::size_t> targets;  ///< downstream nodes (indexes into Scenario::nodes)
};

/// The scenario type names, in NodeConfig order ("source", "station", "sink").
const char* type_name(const NodeConfig& config);

struct Scenario {
  std::string file;  ///< where it was read from, for messages
  std::string name;
  std::uint64_t seed = 1;
  int replications = 5;
  double duration = 0;  ///< length of the measurement window, s
  double warmup = 0;    ///< simulated before the window and discarded, s
  std::vector<NodeSpec> nodes;
  /// The document as run: overrides applied and every default written out.
  Json effective;
};

/// Reads a scenario file as JSON (not yet validated); throws InputError.
Json read_scenario_document(const std::string& path);
/// Reads and validates a scenario file; throws InputError.
Scenario load_scenario(const std::string& path);
/// Validates a parsed document; `file` names it in messages. Throws InputError.
Scenario parse_scenario(Json document, const std::string& file);
/// Parses JSON text, turning syntax errors into one-line InputErrors.
Json parse_json_text(const std::string& text, const std::string& file);

}  // namespace capsim::models
