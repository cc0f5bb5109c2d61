// Every input the fuzz targets found a problem with is kept in tests/fuzz/regressions/ and
// replayed here, in the normal build: it must load or be rejected with capsim's one-line error.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_inputs.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path kRegressions = fs::path(CAPSIM_SOURCE_DIR) / "tests/fuzz/regressions";

std::vector<fs::path> inputs(const std::string& target) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kRegressions / target)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string contents(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Feeds every kept input of `target` to `load` (as the fuzz target does, messages about `file`).
template <typename Load>
void replay(const std::string& target, const std::string& file, Load load) {
  const auto files = inputs(target);
  CHECK(!files.empty());
  for (const auto& input : files) {
    CAPTURE(input);
    std::string message;
    REQUIRE_NOTHROW(message = load(contents(input), file));
    CAPTURE(message);
    CHECK(capsim::fuzz::is_clean_error(message, file));
  }
}

}  // namespace

TEST_SUITE("fuzz_regressions") {
  TEST_CASE("scenario inputs the fuzzer found load or fail with a one-line error") {
    replay("scenario", CAPSIM_SOURCE_DIR "/scenarios/fuzz.json", capsim::fuzz::load_scenario_text);
  }

  TEST_CASE("trace inputs the fuzzer found load or fail with a one-line error") {
    const std::string path = (fs::temp_directory_path() / "capsim-fuzz-regression.csv").string();
    replay("trace", path, capsim::fuzz::load_trace_text);
    fs::remove(path);
  }
}
