#include "models/io/json_input.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace capsim::models {

std::string escape_pointer_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

}  // namespace

Where Where::operator/(std::string_view key) const {
  return Where(*file_, pointer_ + "/" + escape_pointer_token(key));
}

Where Where::operator/(std::size_t index) const {
  return Where(*file_, pointer_ + "/" + std::to_string(index));
}

void Where::fail(std::string_view found, std::string_view expected) const {
  throw InputError(
      fmt::format("{}: {}: found {}, expected {}", *file_, pointer(), found, expected));
}

void Where::fail_value(const Json& found, std::string_view expected) const {
  fail(describe(found), expected);
}

std::string describe(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      return value.empty() ? "an empty object" : "an object";
    case Json::value_t::array:
      return value.empty() ? "an empty array" : "an array";
    case Json::value_t::null:
      return "null";
    case Json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      if (text.size() > 40) return Json(text.substr(0, 37) + "...").dump();
      return value.dump();
    }
    default:
      return value.dump();
  }
}

std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance >= word.size()) continue;  // nothing in common: not a typo
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string one_of(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

std::size_t read_choice(const Json& object, std::string_view key, const Where& where,
                        const std::vector<std::string>& names, std::string_view what) {
  const Json& value = object.at(std::string(key));
  const std::string name = value.is_string() ? value.get<std::string>() : std::string();
  const auto found = std::find(names.begin(), names.end(), name);
  if (found != names.end()) return static_cast<std::size_t>(found - names.begin());
  std::string expected = fmt::format("{}: {}", what, one_of(names));
  if (auto guess = did_you_mean(name, names)) {
    expected += fmt::format(" (did you mean \"{}\"?)", *guess);
  }
  (where / key).fail_value(value, expected);
}

void reject_key_of_other_variants(const Json& object, const Where& where, std::string_view key,
                                  std::string_view variant, std::string_view variants,
                                  const std::string& chosen,
                                  const std::vector<std::string>& takers) {
  if (!object.contains(key) || std::find(takers.begin(), takers.end(), chosen) != takers.end()) {
    return;
  }
  const bool one = takers.size() == 1;
  (where / key)
      .fail(fmt::format("key \"{}\" with {} \"{}\"", key, variant, chosen),
            fmt::format("no \"{}\": only {} {} {} it", key, one ? variant : variants,
                        one_of(takers), one ? "takes" : "take"));
}

void require_object(const Json& value, const Where& where, std::string_view what) {
  if (!value.is_object()) where.fail_value(value, what);
}

void check_keys(const Json& object, const Where& where, const std::vector<std::string>& allowed) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string expected = "one of the keys " + one_of(allowed);
    if (auto guess = did_you_mean(key, allowed))
      expected += fmt::format(" (did you mean \"{}\"?)", *guess);
    (where / key).fail(fmt::format("unknown key \"{}\"", key), expected);
  }
}

bool Range::contains(double x) const {
  const bool above = low_inclusive ? x >= low : x > low;
  const bool below = high_inclusive ? x <= high : x < high;
  return above && below;
}

std::string Range::describe(std::string_view noun) const {
  const bool has_low = low > -1e300;
  const bool has_high = high < 1e300;
  std::string out(noun);
  if (has_low && has_high) {
    return fmt::format("{} in {}{:.7g}, {:.7g}{}", noun, low_inclusive ? "[" : "(", low, high,
                       high_inclusive ? "]" : ")");
  }
  if (has_low) out += fmt::format(" {} {:.7g}", low_inclusive ? ">=" : ">", low);
  if (has_high) out += fmt::format(" {} {:.7g}", high_inclusive ? "<=" : "<", high);
  return out;
}

std::optional<double> read_optional_number(const Json& object, std::string_view key,
                                           const Where& where, Range range) {
  const auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  const Where at = where / key;
  if (!it->is_number()) at.fail_value(*it, range.describe("a number"));
  const double value = it->get<double>();
  if (!std::isfinite(value) || !range.contains(value))
    at.fail_value(*it, range.describe("a number"));
  return value;
}

double read_number(const Json& object, std::string_view key, const Where& where, Range range) {
  if (auto value = read_optional_number(object, key, where, range)) return *value;
  where.fail(fmt::format("no key \"{}\"", key),
             range.describe("a number") + " at \"" + std::string(key) + "\"");
}

std::optional<std::int64_t> read_optional_integer(const Json& object, std::string_view key,
                                                  const Where& where, Range range) {
  const auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  const Where at = where / key;
  const std::string expected = range.describe("an integer");
  if (!it->is_number()) at.fail_value(*it, expected);
  // 1e3 parses as a floating-point number; accept it when it is a whole number.
  const double as_double = it->get<double>();
  if (!std::isfinite(as_double) || std::trunc(as_double) != as_double ||
      std::fabs(as_double) > 9e15 || !range.contains(as_double)) {
    at.fail_value(*it, expected);
  }
  return it->is_number_integer() ? it->get<std::int64_t>() : static_cast<std::int64_t>(as_double);
}

std::int64_t read_integer(const Json& object, std::string_view key, const Where& where,
                          Range range) {
  if (auto value = read_optional_integer(object, key, where, range)) return *value;
  where.fail(fmt::format("no key \"{}\"", key),
             range.describe("an integer") + " at \"" + std::string(key) + "\"");
}

std::optional<std::string> read_optional_string(const Json& object, std::string_view key,
                                                const Where& where) {
  const auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    (where / key).fail_value(*it, "a non-empty string");
  }
  return it->get<std::string>();
}

std::string read_string(const Json& object, std::string_view key, const Where& where) {
  if (auto value = read_optional_string(object, key, where)) return *value;
  where.fail(fmt::format("no key \"{}\"", key), fmt::format("a string at \"{}\"", key));
}

std::optional<TextPosition> find_excess_nesting(std::string_view text, std::size_t max_depth) {
  TextPosition at;
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return at;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    if (c == '\n') {
      ++at.line;
      at.column = 1;
    } else {
      ++at.column;
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    char32_t code = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      code = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      code = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      code = lead & 0x07;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return i;
      code = (code << 6) | (next & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points beyond U+10FFFF are not UTF-8.
    const char32_t smallest = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
    if (code < smallest || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return i;
    i += length;
  }
  return std::nullopt;
}

std::string printable(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    const auto bad = invalid_utf8(text);
    out += text.substr(0, bad.value_or(text.size()));
    if (!bad) break;
    out += fmt::format("\\x{:02X}", static_cast<unsigned char>(text[*bad]));
    text.remove_prefix(*bad + 1);
  }
  return out;
}

const std::vector<std::string>& distribution_names() {
  static const std::vector<std::string> names = {"exponential",      "deterministic", "uniform",
                                                 "erlang",           "gamma",         "lognormal",
                                                 "hyperexponential", "pareto",        "empirical"};
  return names;
}

namespace {

// Every distribution except uniform and empirical is scaled by exactly one of "mean" or "rate".
double read_mean(const Json& object, const Where& where) {
  const auto mean = read_optional_number(object, "mean", where, Range::positive());
  const auto rate = read_optional_number(object, "rate", where, Range::positive());
  if (mean && rate) {
    (where / "rate").fail_value(object["rate"], "either \"mean\" or \"rate\", not both");
  }
  if (!mean && !rate) where.fail("neither \"mean\" nor \"rate\"", "exactly one of them (> 0)");
  // Positive but beyond what a clock in seconds can resolve or a run can reach.
  using limits::kMaxRate, limits::kMaxSeconds, limits::kMinMeanSeconds;
  if (mean && !(*mean >= kMinMeanSeconds && *mean <= kMaxSeconds)) {
    (where / "mean")
        .fail_value(object["mean"],
                    Range{kMinMeanSeconds, true, kMaxSeconds, true}.describe("a mean"));
  }
  if (rate && !(*rate >= 1 / kMaxSeconds && *rate <= kMaxRate)) {
    (where / "rate")
        .fail_value(object["rate"],
                    Range{1 / kMaxSeconds, true, kMaxRate, true}.describe("a rate"));
  }
  return mean ? *mean : 1.0 / *rate;
}

std::vector<std::string> keys_with_mean(std::initializer_list<const char*> extra) {
  std::vector<std::string> keys = {"dist", "mean", "rate"};
  keys.insert(keys.end(), extra.begin(), extra.end());
  return keys;
}

sim::Distribution read_distribution_fields(const std::string& dist, const Json& object,
                                           const Where& where) {
  using sim::Distribution;
  if (dist == "exponential" || dist == "deterministic") {
    check_keys(object, where, keys_with_mean({}));
    const double mean = read_mean(object, where);
    return dist == "exponential" ? Distribution::exponential(mean)
                                 : Distribution::deterministic(mean);
  }
  if (dist == "uniform") {
    check_keys(object, where, {"dist", "low", "high"});
    using limits::kMaxSeconds, limits::kMinMeanSeconds;
    const double low = read_number(object, "low", where, Range{0, true, kMaxSeconds, true});
    const double high =
        read_number(object, "high", where, Range{kMinMeanSeconds, true, kMaxSeconds, true});
    if (high < low)
      (where / "high").fail_value(object["high"], fmt::format("a number >= low ({})", low));
    return Distribution::uniform(low, high);
  }
  if (dist == "erlang") {
    check_keys(object, where, keys_with_mean({"k"}));
    const auto k = read_integer(object, "k", where, Range{1, true, 1e6, true});
    return Distribution::erlang(static_cast<int>(k), read_mean(object, where));
  }
  if (dist == "gamma") {
    check_keys(object, where, keys_with_mean({"shape"}));
    const double shape = read_number(object, "shape", where, Range{0, false, 1e6, true});
    return Distribution::gamma(shape, read_mean(object, where));
  }
  if (dist == "lognormal") {
    check_keys(object, where, keys_with_mean({"cv"}));
    const double cv = read_number(object, "cv", where, Range{0, false, 1e3, true});
    return Distribution::lognormal(read_mean(object, where), cv);
  }
  if (dist == "hyperexponential") {
    check_keys(object, where, keys_with_mean({"cv"}));
    const double cv = read_number(object, "cv", where, Range{1, false, 1e3, true});
    return Distribution::hyperexponential(read_mean(object, where), cv);
  }
  if (dist == "pareto") {
    check_keys(object, where, keys_with_mean({"alpha"}));
    const double alpha = read_number(object, "alpha", where, Range{1, false, 1e6, true});
    return Distribution::pareto(alpha, read_mean(object, where));
  }
  // empirical
  check_keys(object, where, {"dist", "values"});
  const auto it = object.find("values");
  if (it == object.end()) where.fail("no key \"values\"", "a non-empty array of numbers >= 0");
  if (!it->is_array() || it->empty())
    (where / "values").fail_value(*it, "a non-empty array of numbers >= 0");
  std::vector<double> values;
  double sum = 0;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& value = (*it)[i];
    const Range range{0, true, limits::kMaxSeconds, true};
    if (!value.is_number() || !range.contains(value.get<double>())) {
      (where / "values" / i).fail_value(value, range.describe("a number"));
    }
    values.push_back(value.get<double>());
    sum += values.back();
  }
  if (!(sum > 0)) (where / "values").fail("only zeros", "values with a mean > 0");
  const double mean = sum / static_cast<double>(values.size());
  if (mean < limits::kMinMeanSeconds) {
    (where / "values")
        .fail(fmt::format("a mean of {:.7g}", mean),
              fmt::format("values with a mean >= {:.7g}", limits::kMinMeanSeconds));
  }
  return Distribution::empirical(std::move(values));
}

}  // namespace

sim::Distribution read_distribution(const Json& value, const Where& where) {
  require_object(value, where,
                 "a distribution object such as {\"dist\": \"exponential\", \"mean\": 0.1}");
  const auto it = value.find("dist");
  if (it == value.end()) {
    where.fail("no key \"dist\"", "a \"dist\" naming one of " + one_of(distribution_names()));
  }
  const auto& names = distribution_names();
  const std::string dist = it->is_string() ? it->get<std::string>() : std::string();
  if (std::find(names.begin(), names.end(), dist) == names.end()) {
    std::string expected = "a distribution name: " + one_of(names);
    if (auto guess = did_you_mean(dist, names))
      expected += fmt::format(" (did you mean \"{}\"?)", *guess);
    (where / "dist").fail_value(*it, expected);
  }
  try {
    return read_distribution_fields(dist, value, where);
  } catch (const std::invalid_argument& error) {
    // The checks above mirror the factories' preconditions; this keeps any gap a clean error.
    where.fail(value.dump(), error.what());
  }
}

}  // namespace capsim::models
