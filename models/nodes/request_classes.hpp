#pragma once
// Request classes: named kinds of requests with a priority, declared once at the top of a
// scenario ("classes") and referred to by name by sources ("class") and stations
// ("service_by_class").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/io/json_input.hpp"

namespace capsim::models {

/// At most this many classes, so a station can keep its non-empty priority levels in one 64-bit
/// mask.
inline constexpr std::size_t kMaxRequestClasses = 64;

/// One class of requests. Requests carry its index (Request::request_class).
struct RequestClass {
  std::string name;  ///< unique; letters, digits, '_' and '-' (it becomes part of metric names)
  int priority = 0;  ///< lower is served first by "priority" stations; equal values share a level
};

/// Reads the top-level "classes": [{"name": ..., "priority": ...}, ...] (1 to 64 classes, unique
/// names, priority an integer in [0, 1000], default 0). Absent: one class named "default".
std::vector<RequestClass> read_request_classes(const Json& document, const Where& root);

/// The index of the class called `name`, if there is one.
std::optional<std::uint32_t> find_request_class(std::string_view name,
                                                const std::vector<RequestClass>& classes);

/// What a class reference must be: "a class defined in \"classes\": gold or bronze", with a
/// did-you-mean suggestion for `name`.
std::string expected_class(std::string_view name, const std::vector<RequestClass>& classes);

/// Reads object[key] as the name of a class and returns its index; fails at where/key otherwise.
std::uint32_t read_class_reference(const Json& object, std::string_view key, const Where& where,
                                   const std::vector<RequestClass>& classes);

struct StationConfig;

}  // namespace capsim::models
