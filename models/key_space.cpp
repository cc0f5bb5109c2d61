#include "models/key_space.hpp"

namespace capsim::models {

namespace {
constexpr double kMaxKeys = 1e15;
}

KeySpace read_key_space(const Json& value, const Where& where) {
  require_object(value, where, "a key space such as {\"count\": 1000000}");
  check_keys(value, where, {"count"});
  KeySpace keys;
  keys.count =
      static_cast<std::uint64_t>(read_integer(value, "count", where, Range{1, true, kMaxKeys, true}));
  return keys;
}

}  // namespace capsim::models
