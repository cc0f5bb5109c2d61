#pragma once
// Presenting results: a readable table for terminals and a stable JSON document for programs.

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/experiment.hpp"
#include "models/scenario.hpp"

namespace capsim::models {

/// capsim's version ("0.1.0") and the git revision it was built from: 12 hex digits, with
/// "-dirty" if tracked files differed from that commit, or "unknown" outside a git checkout.
const char* version();
const char* git_revision();

/// "9.003 ± 0.021": the mean rounded to the precision its half-width supports.
std::string format_estimate(const sim::Estimate& estimate);
/// A number with `significant` significant digits, or "n/a" for NaN.
std::string format_number(double value, int significant = 4);

/// Terminal columns taken by a UTF-8 string.
std::size_t display_width(const std::string& text);

/// A plain text table: columns padded to their widest cell; the first `left_aligned` columns
/// (names) are left-aligned, the others (numbers) right-aligned.
class TextTable final {
 public:
  explicit TextTable(std::vector<std::string> header, std::size_t left_aligned = 1)
      : left_aligned_(left_aligned) {
    rows_.push_back(std::move(header));
  }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render() const;

 private:
  std::size_t left_aligned_;
  std::vector<std::vector<std::string>> rows_;
};

/// Per-node tables with confidence intervals.
std::string format_table(const Scenario& scenario, const RunResult& result);

/// The documented JSON result (see README, "JSON result"). Keys are in a fixed order and numbers
/// are printed exactly, so equal inputs give byte-identical output.
Json to_json(const Scenario& scenario, const RunResult& result);

/// A JSON output as text: indented by 2, with a final newline. Bytes that are not UTF-8 (a file
/// name may hold any) become U+FFFD instead of failing.
std::string dump_document(const Json& document);

/// {"nodes": [...], "end_to_end": {...}}: the per-node part of to_json.
Json results_json(const RunResult& result);

/// An output file could not be written. The CLI treats it like bad input (exit code 2).
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Whether an output may replace a file that exists already (the CLI's --force, or a sweep
/// rewriting its own output).
enum class Existing { keep, replace };

/// Fails early, before any work is done, if `path` cannot be an output: it exists (with
/// Existing::keep) or its directory does not. Throws OutputError.
void check_output_path(const std::string& path, Existing existing);

/// Writes `text` to `path` atomically: a temporary file beside it, flushed to disk, then renamed
/// over it (with Existing::keep, only if no file of that name has appeared meanwhile). Throws
/// OutputError on failure (a full disk, a file size limit, a file in the way), leaving neither a
/// partial file nor the temporary one.
void write_file_atomically(const std::string& path, const std::string& text,
                           Existing existing = Existing::replace);

}  // namespace capsim::models
