#pragma once
// Reading validated values out of a JSON document, with errors that name file, path, value and
// expectation in one line.

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/distribution.hpp"

namespace capsim::models {

using Json = nlohmann::ordered_json;

/// Bad input: the message is one line naming the file, the JSON path, what was found and what
/// was expected. The CLI prints it and exits with code 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A key as one step of a JSON pointer (RFC 6901): "~" becomes "~0" and "/" becomes "~1".
std::string escape_pointer_token(std::string_view token);

/// A position in an input document: its file and a JSON pointer such as "/nodes/2/servers".
class Where {
 public:
  Where(const std::string& file, std::string pointer = "")
      : file_(&file), pointer_(std::move(pointer)) {}
  Where operator/(std::string_view key) const;
  Where operator/(std::size_t index) const;
  const std::string& file() const { return *file_; }
  /// The pointer, or "/" for the document root.
  std::string pointer() const { return pointer_.empty() ? "/" : pointer_; }

  /// Throws InputError: "FILE: POINTER: found FOUND, expected EXPECTED".
  [[noreturn]] void fail(std::string_view found, std::string_view expected) const;
  /// Same, describing the JSON value found.
  [[noreturn]] void fail_value(const Json& found, std::string_view expected) const;

 private:
  const std::string* file_;
  std::string pointer_;
};

/// A short rendering of a JSON value for messages: 3, -0.5, "web", an object, an array.
std::string describe(const Json& value);

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string>& candidates);

/// "a, b or c".
std::string one_of(const std::vector<std::string>& names);

/// Fails unless `value` is an object whose keys are all in `allowed`.
void require_object(const Json& value, const Where& where, std::string_view what);
void check_keys(const Json& object, const Where& where, const std::vector<std::string>& allowed);

/// The index in `names` of the string at object[key], which must be present. Anything else
/// fails at where/key with "expected WHAT: a, b or c" and a suggestion for a near miss.
std::size_t read_choice(const Json& object, std::string_view key, const Where& where,
                        const std::vector<std::string>& names, std::string_view what);

/// Fails at where/key when `object` has `key` although the variant chosen (`chosen`, e.g.
/// algorithm "fixed_window") is not among `takers`, the variants that take it: a node type's
/// registry lists the keys of all its variants, so the generic unknown-key check lets such a key
/// through, and ignoring it would hide a mistake. `variant` names the choice ("policy"),
/// `variants` its plural ("policies").
void reject_key_of_other_variants(const Json& object, const Where& where, std::string_view key,
                                  std::string_view variant, std::string_view variants,
                                  const std::string& chosen,
                                  const std::vector<std::string>& takers);
/// The same with the variants given as an enum indexing `names`.
template <typename Kind>
void reject_key_of_other_variants(const Json& object, const Where& where, std::string_view key,
                                  std::string_view variant, std::string_view variants, Kind chosen,
                                  const std::vector<Kind>& takers,
                                  const std::vector<std::string>& names) {
  std::vector<std::string> taker_names;
  for (Kind taker : takers) taker_names.push_back(names[static_cast<std::size_t>(taker)]);
  reject_key_of_other_variants(object, where, key, variant, variants,
                               names[static_cast<std::size_t>(chosen)], taker_names);
}

/// Sane limits on scenario values: beyond them a value is far likelier a typo than a model, and
/// the simulation could not represent it (a mean of 1e-300 s stalls the clock; 1e12 servers do
/// not fit in memory).
namespace limits {
inline constexpr double kMaxSeconds = 1e15;      ///< any time, duration or mean time, s
inline constexpr double kMinMeanSeconds = 1e-9;  ///< the smallest mean time between events, s
inline constexpr double kMaxRate = 1e9;          ///< any rate, per second (1 / kMinMeanSeconds)
/// Arrays and objects nested deeper than this are refused before they are parsed: the JSON
/// library copies and compares documents recursively, so 100000 nested `[` would overflow the
/// stack. Scenarios nest about 6 deep.
inline constexpr std::size_t kMaxNesting = 100;
}  // namespace limits

/// Inclusive or exclusive bounds for a number.
struct Range {
  double low = -1e300;
  bool low_inclusive = true;
  double high = 1e300;
  bool high_inclusive = true;
  static Range positive() { return {0, false}; }
  static Range non_negative() { return {0, true}; }
  static Range at_least(double low) { return {low, true}; }
  /// A time in seconds: (0, limits::kMaxSeconds].
  static Range seconds() { return {0, false, limits::kMaxSeconds, true}; }
  bool contains(double x) const;
  std::string describe(std::string_view noun) const;
};

/// A required finite number within `range` at object[key].
double read_number(const Json& object, std::string_view key, const Where& where, Range range);
std::optional<double> read_optional_number(const Json& object, std::string_view key,
                                           const Where& where, Range range);
/// A required integer within `range`.
std::int64_t read_integer(const Json& object, std::string_view key, const Where& where,
                          Range range);
std::optional<std::int64_t> read_optional_integer(const Json& object, std::string_view key,
                                                  const Where& where, Range range);
/// A required non-empty string.
std::string read_string(const Json& object, std::string_view key, const Where& where);
std::optional<std::string> read_optional_string(const Json& object, std::string_view key,
                                                const Where& where);

/// Where in JSON text arrays and objects first nest deeper than `max_depth` (1-based line and
/// column of the bracket that does), without parsing it: strings are skipped, syntax is not
/// checked.
struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};
std::optional<TextPosition> find_excess_nesting(std::string_view text, std::size_t max_depth);

/// The first byte of `text` that is not part of well-formed UTF-8, if any.
std::optional<std::size_t> invalid_utf8(std::string_view text);
/// `text` with every byte that is not well-formed UTF-8 written as \xHH, for messages.
std::string printable(std::string_view text);

/// A distribution object such as {"dist": "exponential", "mean": 0.1}. A distribution takes
/// exactly one of "mean" and "rate" (except uniform and empirical); its mean must be > 0.
sim::Distribution read_distribution(const Json& value, const Where& where);

/// The names accepted by "dist".
const std::vector<std::string>& distribution_names();

}  // namespace capsim::models
