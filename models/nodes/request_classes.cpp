#include "models/nodes/request_classes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace capsim::models {

namespace {

constexpr std::int64_t kMaxPriority = 1000;

bool is_name_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

std::vector<std::string> names_of(const std::vector<RequestClass>& classes) {
  std::vector<std::string> names;
  for (const auto& request_class : classes) names.push_back(request_class.name);
  return names;
}

}  // namespace

std::vector<RequestClass> read_request_classes(const Json& document, const Where& root) {
  const auto it = document.find("classes");
  if (it == document.end()) return {RequestClass{"default", 0}};
  const Where at = root / "classes";
  const char* form = "a non-empty list of classes {\"name\": name, \"priority\": integer}";
  if (!it->is_array() || it->empty()) at.fail_value(*it, form);
  if (it->size() > kMaxRequestClasses) {
    at.fail(fmt::format("{} classes", it->size()),
            fmt::format("at most {} classes", kMaxRequestClasses));
  }
  std::vector<RequestClass> classes;
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& entry = (*it)[i];
    const Where entry_at = at / i;
    require_object(entry, entry_at, "a class {\"name\": name, \"priority\": integer}");
    check_keys(entry, entry_at, {"name", "priority", "description"});
    RequestClass request_class;
    request_class.name = read_string(entry, "name", entry_at);
    // The name becomes part of metric names ("W.gold"), so it must not contain separators.
    if (!std::all_of(request_class.name.begin(), request_class.name.end(), is_name_character)) {
      (entry_at / "name").fail_value(entry["name"], "a class name of letters, digits, '_' or '-'");
    }
    if (auto [previous, inserted] = seen.emplace(request_class.name, i); !inserted) {
      (entry_at / "name")
          .fail_value(entry["name"], fmt::format("a unique class name (also used by /classes/{})",
                                                 previous->second));
    }
    request_class.priority = static_cast<int>(
        read_optional_integer(entry, "priority", entry_at, Range{0, true, kMaxPriority, true})
            .value_or(0));
    classes.push_back(std::move(request_class));
  }
  return classes;
}

std::optional<std::uint32_t> find_request_class(std::string_view name,
                                                const std::vector<RequestClass>& classes) {
  for (std::size_t i = 0; i < classes.size(); ++i) {
    if (classes[i].name == name) return static_cast<std::uint32_t>(i);
  }
  return std::nullopt;
}

std::string expected_class(std::string_view name, const std::vector<RequestClass>& classes) {
  const std::vector<std::string> names = names_of(classes);
  std::string expected = "a class defined in \"classes\": " + one_of(names);
  if (auto guess = did_you_mean(name, names)) {
    expected += fmt::format(" (did you mean \"{}\"?)", *guess);
  }
  return expected;
}

std::uint32_t read_class_reference(const Json& object, std::string_view key, const Where& where,
                                   const std::vector<RequestClass>& classes) {
  const std::string name = read_string(object, key, where);
  if (auto index = find_request_class(name, classes)) return *index;
  (where / key).fail_value(name, expected_class(name, classes));
}

}  // namespace capsim::models
