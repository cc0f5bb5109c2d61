#pragma once
// What the fuzz targets feed to capsim, shared with the regression test that replays the inputs
// they found: any input must load or be rejected with an InputError, never crash, hang or throw
// anything else.

#include <string>
#include <string_view>

namespace capsim::fuzz {

/// Parses `text` as the scenario file `file` (a trace it names is looked up beside `file`) and
/// validates it. Returns InputError's message, or "" when the scenario is valid; any other
/// exception propagates.
std::string load_scenario_text(std::string_view text, const std::string& file);

/// Writes `text` to the file `path`, validates it as a trace, then replays it as the simulator
/// would: three passes of it looped, and the counts of requests in a few windows. Returns
/// InputError's message, or "" when the trace is valid; any other exception propagates.
std::string load_trace_text(std::string_view text, const std::string& path);

/// Whether `message` (from the functions above) is capsim's error: one non-empty line that
/// starts with the file it is about (`file`), or "" (no error).
bool is_clean_error(const std::string& message, const std::string& file);

}  // namespace capsim::fuzz
