// The scenario reference's sections on caches, rate limiters and resilience (scenarios/README.md)
// show JSON node snippets; each must be a node of a shipped scenario (which the scenario tests load
// and validate), so that a reader who copies one copies something the loader accepts.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "models/scenario/scenario.hpp"

using capsim::models::Json;
using capsim::models::parse_json_text;

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The indented code blocks (four spaces, after a blank line) between two headings.
std::vector<std::string> indented_blocks(const std::string& text, const std::string& first,
                                         const std::string& last) {
  const std::size_t begin = text.find(first);
  const std::size_t end = text.find(last, begin);
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  std::istringstream lines(text.substr(begin, end - begin));
  std::vector<std::string> blocks;
  std::string line, block;
  bool after_blank = false;
  while (std::getline(lines, line)) {
    if (line.rfind("    ", 0) == 0 && (after_blank || !block.empty())) {
      block += line.substr(4) + "\n";
    } else if (!block.empty()) {
      blocks.push_back(block);
      block.clear();
    }
    after_blank = line.empty();
  }
  if (!block.empty()) blocks.push_back(block);
  return blocks;
}

}  // namespace

TEST_SUITE("docs") {
  TEST_CASE("README snippets for caches limiters and resilience are nodes of shipped scenarios") {
    const std::filesystem::path root(CAPSIM_SOURCE_DIR);
    std::vector<Json> nodes;
    for (const auto& entry : std::filesystem::directory_iterator(root / "scenarios")) {
      if (entry.path().extension() != ".json") continue;
      const Json document = parse_json_text(read_text(entry.path()), entry.path().string());
      for (const Json& node : document["nodes"]) nodes.push_back(node);
    }
    const auto blocks = indented_blocks(read_text(root / "scenarios" / "README.md"),
                                        "## Key spaces and caches", "## What is measured");
    CHECK(blocks.size() >= 6);
    for (const std::string& block : blocks) {
      CAPTURE(block);
      const Json snippet = parse_json_text(block, "scenarios/README.md");
      CHECK(std::find(nodes.begin(), nodes.end(), snippet) != nodes.end());
    }
  }
}
