#pragma once
// Running small scenarios in tests, and reading what the loader and validate make of them.

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "models/io/json_input.hpp"
#include "models/scenario/replication.hpp"
#include "models/scenario/scenario.hpp"
#include "models/workflows/validate.hpp"
#include "tests/models/scenario_builder.hpp"

namespace capsim::testing {

/// The first replication of `scenario`.
inline models::ReplicationResult run_once(const models::Scenario& scenario) {
  models::Replication network(scenario, 0);
  return network.run();
}
/// The first replication of `nodes` with seed 1, over [warmup, warmup + duration].
inline models::ReplicationResult run_once(const models::Json& nodes, double duration,
                                          double warmup = 0) {
  return run_once(scenario(nodes, duration, warmup, 2, 1));
}

/// The message of the InputError `action` throws, or "(no error)".
inline std::string error_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const models::InputError& error) {
    return error.what();
  }
  return "(no error)";
}

/// What the loader says of the scenario document `text`, read from a file named `file`.
inline std::string message_of(const std::string& text, const std::string& file = "bad.json") {
  return error_message([&] { models::parse_scenario(models::parse_json_text(text, file), file); });
}

/// What the loader says of a scenario of `nodes` (duration 100).
inline std::string message_of_nodes(const models::Json& nodes) {
  return error_message([&] {
    models::Json document = {{"duration", 100}, {"nodes", nodes}};
    models::parse_scenario(std::move(document), "bad.json");
  });
}

/// A scenario document the loader must refuse, and what it must say.
struct BadInput {
  std::string name;
  std::string text;
  std::string pointer;
  std::string found;
  std::string expected;

  /// The one line expected of message_of(text).
  std::string message() const {
    return "bad.json: " + pointer + ": found " + found + ", expected " + expected;
  }
};

/// Checks that the loader refuses each of `table` with its one line.
inline void check_bad_inputs(const std::vector<BadInput>& table) {
  for (const BadInput& c : table) {
    CAPTURE(c.name);
    CAPTURE(c.text);
    const std::string message = message_of(c.text);
    CHECK(message == c.message());
    CHECK(message.find('\n') == std::string::npos);
  }
}

/// validate's analysis of one node, or nullptr if it has none.
inline const models::NodeTheory* theory_of(const models::Validation& v, const std::string& node) {
  const auto it =
      std::find_if(v.nodes.begin(), v.nodes.end(), [&](const auto& t) { return t.node == node; });
  return it == v.nodes.end() ? nullptr : &*it;
}

/// Whether validate compared `metric` of `node`.
inline bool has_check(const models::Validation& v, const std::string& node,
                      const std::string& metric) {
  return std::any_of(v.checks.begin(), v.checks.end(),
                     [&](const auto& c) { return c.node == node && c.metric == metric; });
}

}  // namespace capsim::testing
