#include "models/io/overrides.hpp"

#include <fmt/format.h>

#include <cmath>

namespace capsim::models {

namespace {

[[noreturn]] void bad(const std::string& argument, std::string_view found,
                      std::string_view expected) {
  throw InputError(fmt::format("--set {}: found {}, expected {}", argument, found, expected));
}

std::vector<std::string> split_dotted(const std::string& path) {
  std::vector<std::string> steps;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = path.find('.', start);
    steps.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return steps;
    start = dot + 1;
  }
}

// VALUE of --set or --vary: JSON, or else a bare word taken as a string. Fails (through `fail`)
// on bytes that are not UTF-8 and on nesting beyond limits::kMaxNesting.
template <typename Fail>
Json parse_value(const std::string& text, Fail&& fail) {
  if (const auto bad = invalid_utf8(text)) {
    fail(fmt::format("byte 0x{:02X} at offset {}", static_cast<unsigned char>(text[*bad]), *bad),
         "UTF-8 text");
  }
  if (find_excess_nesting(text, limits::kMaxNesting)) {
    fail(fmt::format("arrays and objects nested more than {} deep", limits::kMaxNesting),
         fmt::format("at most {} levels of nesting", limits::kMaxNesting));
  }
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_discarded() ? Json(text) : value;
}

// Turns the dotted form into a pointer, naming nodes by their "name".
std::string pointer_from_dotted(const Json& document, const std::string& argument,
                                const std::string& path) {
  const std::vector<std::string> steps = split_dotted(path);
  std::string pointer;
  const Json* at = &document;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string& step = steps[i];
    if (step.empty()) {
      bad(argument, fmt::format("an empty step in \"{}\"", path), "PATH such as nodes.web.servers");
    }
    const bool last = i + 1 == steps.size();
    if (at->is_array()) {
      std::size_t index = at->size();
      std::vector<std::string> names;
      for (std::size_t k = 0; k < at->size(); ++k) {
        const Json& item = (*at)[k];
        if (item.is_object() && item.contains("name") && item["name"].is_string()) {
          names.push_back(item["name"].get<std::string>());
          if (names.back() == step) index = k;
        }
      }
      if (index == at->size() && step.find_first_not_of("0123456789") == std::string::npos &&
          std::stoull(step) < at->size()) {
        index = std::stoull(step);
      }
      if (index == at->size()) {
        std::string expected =
            fmt::format("a name of one of {}'s items: {}", pointer, one_of(names));
        if (auto guess = did_you_mean(step, names))
          expected += fmt::format(" (did you mean \"{}\"?)", *guess);
        bad(argument, fmt::format("\"{}\"", step), expected);
      }
      pointer += fmt::format("/{}", index);
      at = &(*at)[index];
    } else if (at->is_object()) {
      pointer += fmt::format("/{}", escape_pointer_token(step));
      if (last) break;
      const auto it = at->find(step);
      if (it == at->end()) {
        std::vector<std::string> keys;
        for (const auto& [key, value] : at->items()) keys.push_back(key);
        const std::string parent = pointer.substr(0, pointer.rfind('/'));
        std::string expected =
            fmt::format("an existing key of {}: {}", parent.empty() ? "/" : parent, one_of(keys));
        if (auto guess = did_you_mean(step, keys))
          expected += fmt::format(" (did you mean \"{}\"?)", *guess);
        bad(argument, fmt::format("\"{}\"", step), expected);
      }
      at = &*it;
    } else {
      bad(argument, fmt::format("\"{}\" below a {} value", step, describe(*at)),
          "a path into objects and arrays of the scenario");
    }
  }
  return pointer;
}

}  // namespace

Override resolve_override(const Json& document, const std::string& argument) {
  const std::size_t equals = argument.find('=');
  if (equals == std::string::npos || equals == 0) {
    bad(argument, "no PATH=VALUE", "PATH=VALUE, e.g. nodes.web.servers=8 or /duration=600");
  }
  Override result;
  result.text = argument;
  const std::string path = argument.substr(0, equals);
  const std::string value = argument.substr(equals + 1);
  if (value.empty()) bad(argument, "an empty VALUE", "a JSON value after '='");
  result.text = printable(argument);
  result.value = parse_value(value, [&](std::string_view found, std::string_view expected) {
    bad(result.text, found, expected);
  });
  if (const auto at = invalid_utf8(path)) {
    bad(result.text,
        fmt::format("byte 0x{:02X} at offset {}", static_cast<unsigned char>(path[*at]), *at),
        "a PATH of UTF-8 text");
  }

  if (path.front() == '/') {
    Json::json_pointer pointer;
    try {
      pointer = Json::json_pointer(path);
    } catch (const Json::exception&) {
      bad(argument, fmt::format("\"{}\"", path), "a JSON pointer such as /nodes/1/servers");
    }
    // The parent must exist; the last key may be new, as long as the parent is an object.
    const Json::json_pointer parent = pointer.parent_pointer();
    if (!document.contains(parent) ||
        (!document.at(parent).is_object() && !document.contains(pointer))) {
      bad(argument,
          fmt::format("no value at {}", parent.to_string().empty() ? "/" : parent.to_string()),
          "a JSON pointer into the scenario");
    }
    result.pointer = path;
  } else {
    result.pointer = pointer_from_dotted(document, argument, path);
  }
  return result;
}

void apply_overrides(Json& document, const std::vector<Override>& overrides) {
  for (const auto& o : overrides) document[Json::json_pointer(o.pointer)] = o.value;
}

}  // namespace capsim::models

namespace capsim::models {

namespace {

constexpr std::size_t kMaxSweepValues = 100'000;

Json number_value(double x) {
  // Whole numbers stay integers so they are accepted where counts are expected.
  if (std::fabs(x) < 9e15 && std::trunc(x) == x) return Json(static_cast<std::int64_t>(x));
  return Json(x);
}

// Inclusive arithmetic range; `fail` reports what is wrong.
template <typename Fail>
std::vector<Json> arithmetic_range(double from, double to, double step, Fail&& fail) {
  if (!(step > 0)) fail(fmt::format("step {}", step), "a step > 0");
  if (to < from) fail(fmt::format("to {} below from {}", to, from), "from <= to");
  const double count = std::floor((to - from) / step * (1 + 1e-12)) + 1;
  if (count > static_cast<double>(kMaxSweepValues)) {
    fail(fmt::format("{:.0f} values", count), fmt::format("at most {} values", kMaxSweepValues));
  }
  std::vector<Json> values;
  for (std::size_t i = 0; i < static_cast<std::size_t>(count); ++i) {
    // from + i*step, not repeated addition: no drift, and 0.1 steps land on 0.3, not 0.30000004.
    const double x = from + static_cast<double>(i) * step;
    values.push_back(number_value(std::round(x * 1e12) / 1e12));
  }
  return values;
}

}  // namespace

SweepAxis parse_vary(const std::string& argument) {
  const std::size_t equals = argument.find('=');
  auto fail = [&](std::string_view found, std::string_view expected) -> void {
    throw InputError(
        fmt::format("--vary {}: found {}, expected {}", printable(argument), found, expected));
  };
  if (equals == std::string::npos || equals == 0 || equals + 1 == argument.size()) {
    fail("no PATH=VALUES", "PATH=FROM:TO:STEP or PATH=V1,V2,...");
  }
  SweepAxis axis{argument.substr(0, equals), {}};
  const std::string spec = argument.substr(equals + 1);
  if (spec.find(':') != std::string::npos) {
    double bounds[3];
    std::size_t start = 0;
    for (int k = 0; k < 3; ++k) {
      const std::size_t colon = spec.find(':', start);
      if ((k < 2) == (colon == std::string::npos)) fail("\"" + spec + "\"", "FROM:TO:STEP");
      const std::string part =
          spec.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      const Json number = parse_value(part, fail);
      if (!number.is_number()) fail("\"" + part + "\"", "a number");
      bounds[k] = number.get<double>();
      start = colon + 1;
    }
    axis.values = arithmetic_range(bounds[0], bounds[1], bounds[2], fail);
    return axis;
  }
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = spec.find(',', start);
    const std::string part =
        spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (part.empty()) fail("an empty value in \"" + spec + "\"", "V1,V2,...");
    axis.values.push_back(parse_value(part, fail));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return axis;
}

std::vector<SweepAxis> read_sweep(const Json& document, const std::string& file) {
  std::vector<SweepAxis> axes;
  const auto it = document.find("sweep");
  if (it == document.end()) return axes;
  const Where at = Where(file) / "sweep";
  if (!it->is_array() || it->empty()) {
    at.fail_value(*it,
                  "a non-empty list of {\"path\": P, \"from\": a, \"to\": b, \"step\": s} or "
                  "{\"path\": P, \"values\": [...]}");
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& entry = (*it)[i];
    const Where where = at / i;
    require_object(
        entry, where,
        "{\"path\": P, \"from\": a, \"to\": b, \"step\": s} or {\"path\": P, \"values\": [...]}");
    check_keys(entry, where, {"path", "from", "to", "step", "values"});
    SweepAxis axis{read_string(entry, "path", where), {}};
    try {
      resolve_override(document, axis.path + "=0");
    } catch (const InputError& error) {
      (where / "path")
          .fail_value(entry["path"],
                      "a path into the scenario (" + std::string(error.what()) + ")");
    }
    if (entry.contains("values")) {
      if (entry.contains("from") || entry.contains("to") || entry.contains("step")) {
        where.fail("both \"values\" and a range", "either \"values\" or \"from\"/\"to\"/\"step\"");
      }
      const Json& values = entry["values"];
      if (!values.is_array() || values.empty())
        (where / "values").fail_value(values, "a non-empty list of values");
      axis.values.assign(values.begin(), values.end());
    } else {
      const double from = read_number(entry, "from", where, Range{});
      const double to = read_number(entry, "to", where, Range{});
      const double step = read_number(entry, "step", where, Range::positive());
      axis.values = arithmetic_range(
          from, to, step,
          [&](std::string_view found, std::string_view expected) { where.fail(found, expected); });
    }
    axes.push_back(std::move(axis));
  }
  return axes;
}

Override axis_override(const Json& document, const SweepAxis& axis, std::size_t index) {
  Override o = resolve_override(document, axis.path + "=0");
  o.value = axis.values[index];
  o.text = axis.path + "=" + o.value.dump();
  return o;
}

}  // namespace capsim::models
