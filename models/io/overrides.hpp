#pragma once
// What-if overrides: `--set PATH=VALUE` edits a scenario document before it is validated, so an
// override is checked exactly like the file's own values and echoed in the effective scenario.

#include <string>
#include <vector>

#include "models/io/json_input.hpp"

namespace capsim::models {

/// One parsed `--set` argument.
struct Override {
  std::string text;     ///< as given, for messages: "nodes.web.servers=8"
  std::string pointer;  ///< resolved JSON pointer: "/nodes/1/servers"
  Json value;           ///< VALUE parsed as JSON; a bare word is a string
};

/// Resolves "PATH=VALUE" against `document`. PATH is a JSON pointer ("/nodes/1/servers") or a
/// dotted path whose node step is a node name ("nodes.web.servers", "duration"). The parent of
/// the last step must exist; the last key may be new (it is validated with the scenario).
/// Throws InputError naming the argument on a malformed or unknown path.
Override resolve_override(const Json& document, const std::string& argument);

/// Applies overrides in order.
void apply_overrides(Json& document, const std::vector<Override>& overrides);

/// Parses the scenario after overrides; if validation fails at an overridden path, the message
/// says which --set argument put the value there.
template <typename Parse>
auto parse_with_overrides(const std::vector<Override>& overrides, Parse&& parse) {
  try {
    return parse();
  } catch (const InputError& error) {
    const std::string message = error.what();
    for (const auto& o : overrides) {
      if (message.find(": " + o.pointer + ":") != std::string::npos ||
          message.find(": " + o.pointer + "/") != std::string::npos) {
        throw InputError(message + " (set by --set " + o.text + ")");
      }
    }
    throw;
  }
}

}  // namespace capsim::models

namespace capsim::models {

/// One varied parameter of a sweep: a path (as in --set) and the values it takes.
struct SweepAxis {
  std::string path;
  std::vector<Json> values;
};

/// Parses `--vary PATH=FROM:TO:STEP` (inclusive, numbers; whole numbers stay integers) or
/// `--vary PATH=V1,V2,...` (JSON values). Throws InputError naming the argument.
SweepAxis parse_vary(const std::string& argument);

/// Reads a scenario's "sweep": [{"path": P, "from": a, "to": b, "step": s} or {"path": P,
/// "values": [...]}], checking each path against the document. Throws InputError.
std::vector<SweepAxis> read_sweep(const Json& document, const std::string& file);

/// The override that sets `axis` to its value number `index`.
Override axis_override(const Json& document, const SweepAxis& axis, std::size_t index);

}  // namespace capsim::models
