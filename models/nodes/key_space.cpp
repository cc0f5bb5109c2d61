#include "models/nodes/key_space.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/io/text_format.hpp"

namespace capsim::models {

namespace {
constexpr double kMaxKeys = 1e15;
// Beyond this exponent key 0 takes all but 1e-30 of the requests; larger values are more likely
// a typo than a model.
constexpr double kMaxAlpha = 100;
}  // namespace

const std::vector<std::string>& popularity_names() {
  static const std::vector<std::string> names = {"uniform", "zipf"};
  return names;
}

bool KeySpace::same_distribution(const KeySpace& other) const {
  if (count != other.count) return false;
  if (is_uniform() || other.is_uniform()) return is_uniform() && other.is_uniform();
  return alpha == other.alpha;
}

std::string KeySpace::describe() const {
  if (is_uniform()) return fmt::format("uniform over {} keys", count);
  return fmt::format("Zipf({}) over {} keys", format_number(alpha, 6), count);
}

KeySpace read_key_space(const Json& value, const Where& where) {
  require_object(value, where, "a key space such as {\"count\": 1000000}");
  check_keys(value, where, {"count", "popularity", "alpha"});
  KeySpace keys;
  keys.count = static_cast<std::uint64_t>(
      read_integer(value, "count", where, Range{1, true, kMaxKeys, true}));
  if (value.contains("popularity")) {
    keys.popularity = static_cast<Popularity>(
        read_choice(value, "popularity", where, popularity_names(), "a popularity"));
  }
  if (keys.popularity == Popularity::zipf) {
    if (!value.contains("alpha")) {
      where.fail("no key \"alpha\"",
                 "a Zipf exponent \"alpha\" >= 0 with \"popularity\": \"zipf\"");
    }
    keys.alpha = read_number(value, "alpha", where, Range{0, true, kMaxAlpha, true});
  } else if (value.contains("alpha")) {
    (where / "alpha")
        .fail_value(value["alpha"],
                    "no \"alpha\" with uniform popularity (\"alpha\" is the exponent of "
                    "\"popularity\": \"zipf\")");
  }
  keys.update_sampler();
  return keys;
}

}  // namespace capsim::models
