#pragma once
// Trace replay: arrival times (and optionally keys and sizes) read from a CSV file, streamed line
// by line so that memory does not grow with the trace.
//
// Format: an optional header naming the columns ("time,key,size", "time,size", ...; time is
// required, any order); without a header the columns are time[,key[,size]]. time: seconds >= 0,
// non-decreasing; key: an integer >= 0 (default 0); size: a number > 0 (default 1). Blank lines
// and everything after '#' are ignored; fields may be padded with spaces; CRLF line ends work.

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

#include "models/io/json_input.hpp"

namespace capsim::models {

/// A trace file as the loader validated it (one streaming pass, nothing kept but these).
struct TraceSpec {
  std::string path;            ///< resolved against the scenario file's directory
  bool loop = false;           ///< replay again and again, copy k shifted by k * period
  double period = 0;           ///< s, >= the last time; when looping: "period", else last time
  std::uint64_t requests = 0;  ///< data lines, >= 1
  double last_time = 0;        ///< s
  std::uint64_t key_count = 1;  ///< the largest key in the file + 1 (keys 0 .. key_count-1)
};

/// One data line.
struct TraceRecord {
  double time = 0;        ///< s, absolute (the loop shift added)
  std::uint64_t key = 0;  ///< Request::key
  double size = 1;        ///< Request::size
};

/// Reads a trace's records in order, one line in memory at a time (a buffered ifstream), and
/// starts over when the trace loops. Throws InputError "FILE:LINE: found ..., expected ..." on a
/// bad line (the loader has validated the file, so only a file changed since can do that).
class TraceReader final {
 public:
  /// Opens the file; throws InputError if it cannot.
  explicit TraceReader(const TraceSpec& spec);

  /// The next record; false after the last one of a trace that does not loop. Never allocates
  /// once the longest line has been read.
  bool next(TraceRecord& record);

 private:
  struct Columns {
    int time = 0, key = 1, size = 2;  // field index of each, -1 when absent
    int count = 0;                    // fields per line with a header; 0: 1 to 3, positional
  };
  // Reads lines up to the next record of this pass; false at the end of the file.
  bool read_record(TraceRecord& record);
  // Parses a line; false for a blank line, a comment or the header.
  bool parse(std::string_view text, TraceRecord& record);
  [[noreturn]] void fail(std::string_view found, std::string_view expected) const;

  TraceSpec spec_;
  std::ifstream in_;
  std::string line_;
  std::uint64_t line_number_ = 0;
  bool header_seen_ = false;  // the first non-blank line has been looked at
  Columns columns_;
  std::uint64_t cycle_ = 0;
  std::uint64_t records_in_pass_ = 0;
  double previous_time_ = 0;  // within the current pass
};

/// Reads "trace": {"file": path relative to the scenario's directory, "loop": bool (default
/// false), "period": s (with loop; default the last time)} and validates the whole file in one
/// streaming pass.
TraceSpec read_trace(const Json& value, const Where& where);

/// The number of requests the trace replays at times t with from < t <= to (loop copies
/// included): what a source sees in a measurement window, since the simulator runs events at
/// the window's start in the warm-up. One streaming pass over the file.
std::uint64_t count_trace_requests(const TraceSpec& spec, double from, double to);

}  // namespace capsim::models
