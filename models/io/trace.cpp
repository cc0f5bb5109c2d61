#include "models/io/trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>

namespace capsim::models {

namespace {

constexpr std::size_t kMaxFields = 3;
constexpr double kMaxTime = 1e15;

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// Splits on commas into at most kMaxFields + 1 fields (one more than allowed, to report it);
// returns the number found.
std::size_t split_fields(std::string_view text, std::array<std::string_view, kMaxFields + 1>& out) {
  std::size_t count = 0;
  for (;;) {
    const auto comma = text.find(',');
    if (count == kMaxFields) {
      out[count++] = trim(text);
      return count + (comma == std::string_view::npos ? 0 : 1);
    }
    out[count++] = trim(text.substr(0, comma));
    if (comma == std::string_view::npos) return count;
    text.remove_prefix(comma + 1);
  }
}

bool parse_double(std::string_view text, double& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && std::isfinite(value);
}

bool parse_key(std::string_view text, std::uint64_t& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

std::string in_quotes(std::string_view text) {
  return fmt::format("\"{}\"", text);
}

}  // namespace

TraceReader::TraceReader(const TraceSpec& spec) : spec_(spec), in_(spec.path, std::ios::binary) {
  if (!in_) throw InputError(fmt::format("{}: cannot open: no such readable file", spec_.path));
}

void TraceReader::fail(std::string_view found, std::string_view expected) const {
  throw InputError(
      fmt::format("{}:{}: found {}, expected {}", spec_.path, line_number_, found, expected));
}

bool TraceReader::parse(std::string_view text, TraceRecord& record) {
  if (const auto comment = text.find('#'); comment != std::string_view::npos) {
    text = text.substr(0, comment);
  }
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  text = trim(text);
  if (text.empty()) return false;

  std::array<std::string_view, kMaxFields + 1> fields;
  const std::size_t count = split_fields(text, fields);
  const bool first = !header_seen_;
  header_seen_ = true;
  if (first && !fields[0].empty() && std::isalpha(static_cast<unsigned char>(fields[0][0]))) {
    // A header names the columns. (Static names: a looping trace reads it on every pass.)
    static const std::vector<std::string> names = {"time", "key", "size"};
    if (count > kMaxFields) {
      fail(fmt::format("{} columns", count), "at most 3 columns: time, key and size");
    }
    columns_ = {-1, -1, -1, static_cast<int>(count)};
    for (std::size_t i = 0; i < count; ++i) {
      const std::string_view name = fields[i];
      int* column = name == "time"   ? &columns_.time
                    : name == "key"  ? &columns_.key
                    : name == "size" ? &columns_.size
                                     : nullptr;
      if (column == nullptr) {
        std::string expected = "a column name: " + one_of(names);
        if (auto guess = did_you_mean(name, names)) {
          expected += fmt::format(" (did you mean \"{}\"?)", *guess);
        }
        fail(fmt::format("column {}", in_quotes(name)), expected);
      }
      if (*column >= 0) fail(fmt::format("column {} twice", in_quotes(name)), "each column once");
      *column = static_cast<int>(i);
    }
    if (columns_.time < 0) fail("a header without a time column", "a \"time\" column");
    return false;
  }

  if (columns_.count > 0 && count != static_cast<std::size_t>(columns_.count)) {
    fail(fmt::format("{} field{}", count, count == 1 ? "" : "s"),
         fmt::format("{} as in the header", columns_.count));
  }
  if (count > kMaxFields) fail(fmt::format("{} fields", count), "1 to 3: time[,key[,size]]");
  const std::string_view time_text = fields[static_cast<std::size_t>(columns_.time)];
  double time = 0;
  if (!parse_double(time_text, time)) {
    fail(fmt::format("time {}", in_quotes(time_text)), "a time in seconds (a number >= 0)");
  }
  if (!(time >= 0 && time <= kMaxTime)) {
    fail(fmt::format("time {}", time_text), fmt::format("a time in [0, {:g}] s", kMaxTime));
  }
  if (time < previous_time_) {
    fail(fmt::format("time {} after {}", time_text, previous_time_), "non-decreasing times");
  }
  previous_time_ = time;
  record.time = time;
  record.key = 0;
  record.size = 1;
  // A missing optional field keeps its default; so does an empty one without a header, where
  // "2.5,,3" gives a size but no key.
  const auto field = [&](int column) -> std::string_view {
    return column >= 0 && static_cast<std::size_t>(column) < count
               ? fields[static_cast<std::size_t>(column)]
               : std::string_view();
  };
  const bool required = columns_.count > 0;
  if (const std::string_view key = field(columns_.key);
      !key.empty() || (required && columns_.key >= 0)) {
    if (!parse_key(key, record.key))
      fail(fmt::format("key {}", in_quotes(key)), "a key: an integer >= 0");
  }
  if (const std::string_view size = field(columns_.size);
      !size.empty() || (required && columns_.size >= 0)) {
    if (!parse_double(size, record.size))
      fail(fmt::format("size {}", in_quotes(size)), "a size > 0");
    if (!(record.size > 0)) fail(fmt::format("size {}", size), "a size > 0");
  }
  return true;
}

bool TraceReader::read_record(TraceRecord& record) {
  while (std::getline(in_, line_)) {
    ++line_number_;
    if (parse(line_, record)) return true;
  }
  if (in_.bad()) fail("a read error", "a readable file");
  return false;
}

bool TraceReader::next(TraceRecord& record) {
  for (;;) {
    if (read_record(record)) {
      ++records_in_pass_;
      record.time += static_cast<double>(cycle_) * spec_.period;
      return true;
    }
    if (!spec_.loop || records_in_pass_ == 0) return false;
    // Start over: the next copy is shifted by one more period.
    in_.clear();
    in_.seekg(0);
    line_number_ = 0;
    header_seen_ = false;
    columns_ = Columns{};
    previous_time_ = 0;
    records_in_pass_ = 0;
    ++cycle_;
  }
}

TraceSpec read_trace(const Json& value, const Where& where) {
  require_object(value, where, "a trace such as {\"file\": \"traces/requests.csv\"}");
  check_keys(value, where, {"file", "loop", "period"});
  const std::string file = read_string(value, "file", where);
  TraceSpec spec;
  // Relative to the scenario, so a scenario and its traces move together.
  spec.path =
      (std::filesystem::path(where.file()).parent_path() / file).lexically_normal().string();
  if (const auto loop = value.find("loop"); loop != value.end()) {
    if (!loop->is_boolean()) (where / "loop").fail_value(*loop, "true or false");
    spec.loop = loop->get<bool>();
  }
  const auto period = read_optional_number(value, "period", where, Range{0, false, kMaxTime, true});
  if (period && !spec.loop) {
    (where / "period").fail_value(value["period"], "no \"period\" unless \"loop\" is true");
  }

  std::error_code error;
  if (!std::filesystem::is_regular_file(spec.path, error)) {
    (where / "file")
        .fail_value(value["file"], fmt::format("a readable trace file ({} is not one)", spec.path));
  }
  // One pass over the file validates every line.
  TraceSpec single = spec;
  single.loop = false;
  TraceReader pass(single);
  TraceRecord record;
  while (pass.next(record)) {
    ++spec.requests;
    spec.last_time = record.time;
    // Saturates: a key of 2^64 - 1 leaves the count at its largest.
    spec.key_count = std::max(spec.key_count, record.key + (record.key < UINT64_MAX ? 1 : 0));
  }
  if (spec.requests == 0) {
    throw InputError(fmt::format(
        "{}: found no requests (only blank lines, comments or a header), expected at least one "
        "line time[,key[,size]]",
        spec.path));
  }
  spec.period = period.value_or(spec.last_time);
  if (spec.loop && period && *period < spec.last_time) {
    (where / "period")
        .fail_value(value["period"],
                    fmt::format("a period >= {} (the trace's last time, s)", spec.last_time));
  }
  if (spec.loop && !(spec.period > 0)) {
    (where / "loop").fail("a looping trace whose times are all 0", "a \"period\" > 0 to loop it");
  }
  return spec;
}

std::uint64_t count_trace_requests(const TraceSpec& spec, double from, double to) {
  TraceSpec single = spec;
  single.loop = false;
  // Lines of copy k (replayed at t + k * period, computed as the reader does, so boundaries
  // compare identically) at or before `limit`.
  auto in_copy = [&](std::uint64_t copy, double limit) {
    TraceReader reader(single);
    TraceRecord record;
    std::uint64_t count = 0;
    while (reader.next(record) && record.time + static_cast<double>(copy) * spec.period <= limit) {
      ++count;
    }
    return count;
  };
  auto at_or_before = [&](double limit) -> std::uint64_t {
    if (limit < 0) return 0;
    if (!spec.loop) return in_copy(0, limit);
    // Copies well before `limit` count whole; the copies around it (floor(limit / period) may
    // be off by one after rounding) are counted line by line.
    const auto copy = static_cast<std::uint64_t>(std::floor(limit / spec.period));
    const std::uint64_t whole = copy >= 1 ? copy - 1 : 0;
    std::uint64_t count = whole * spec.requests;
    for (std::uint64_t k = whole; k <= copy + 1; ++k) count += in_copy(k, limit);
    return count;
  };
  return at_or_before(to) - at_or_before(from);
}

}  // namespace capsim::models
