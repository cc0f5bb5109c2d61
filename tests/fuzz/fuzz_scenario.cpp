// libFuzzer target: the scenario loader (JSON syntax, then validation of every node type).
// A scenario naming a trace finds it beside scenarios/, as the shipped trace_replay.json does.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "tests/fuzz/fuzz_inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string file = CAPSIM_SOURCE_DIR "/scenarios/fuzz.json";
  const std::string message =
      capsim::fuzz::load_scenario_text({reinterpret_cast<const char*>(data), size}, file);
  // A message that is not capsim's one-line error is a finding too.
  if (!capsim::fuzz::is_clean_error(message, file)) std::abort();
  return 0;
}
