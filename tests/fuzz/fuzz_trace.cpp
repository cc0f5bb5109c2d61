// libFuzzer target: the trace-file reader (validation pass, looped replay, window counts).

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/fuzz/fuzz_inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // One file per process, so parallel fuzzing jobs do not share it; removed at exit.
  struct TemporaryFile {
    std::string path = (std::filesystem::temp_directory_path() /
                        ("capsim-fuzz-trace-" + std::to_string(getpid()) + ".csv"))
                           .string();
    ~TemporaryFile() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  };
  static const TemporaryFile file;
  const std::string& path = file.path;
  const std::string message =
      capsim::fuzz::load_trace_text({reinterpret_cast<const char*>(data), size}, path);
  // A message that is not capsim's one-line error is a finding too.
  if (!capsim::fuzz::is_clean_error(message, path)) std::abort();
  return 0;
}
