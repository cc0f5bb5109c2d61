#pragma once
// Writing outputs: JSON documents as text, and files replaced atomically or not at all.

#include <stdexcept>
#include <string>

#include "models/io/json_input.hpp"

namespace capsim::models {

/// A JSON output as text: indented by 2, with a final newline. Bytes that are not UTF-8 (a file
/// name may hold any) become U+FFFD instead of failing.
std::string dump_document(const Json& document);

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
