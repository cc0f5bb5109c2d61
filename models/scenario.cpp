#include "models/scenario.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace capsim::models {

namespace {

const std::vector<std::string> kTypeNames = {"source", "station", "sink"};
constexpr std::int64_t kMaxServers = 1'000'000;
constexpr std::int64_t kMaxCapacity = 1'000'000'000;
constexpr std::int64_t kMaxReplications = 100'000;

std::vector<std::string> node_keys(std::initializer_list<const char*> extra) {
  std::vector<std::string> keys = {"name", "type", "description"};
  keys.insert(keys.end(), extra.begin(), extra.end());
  return keys;
}

SourceConfig read_source(const Json& node, const Where& where) {
  check_keys(node, where, node_keys({"arrival", "to"}));
  SourceConfig config;
  if (!node.contains("arrival")) {
    where.fail("no key \"arrival\"", "an \"arrival\" distribution of inter-arrival times");
  }
  config.interarrival = read_distribution(node["arrival"], where / "arrival");
  config.to = read_string(node, "to", where);
  return config;
}

StationConfig read_station(const Json& node, const Where& where) {
  check_keys(node, where, node_keys({"servers", "capacity", "service", "to"}));
  StationConfig config;
  config.servers = static_cast<int>(
      read_optional_integer(node, "servers", where, Range{1, true, kMaxServers, true}).value_or(1));
  config.capacity =
      read_optional_integer(node, "capacity", where,
                            Range{static_cast<double>(config.servers), true, kMaxCapacity, true});
  if (!node.contains("service")) {
    where.fail("no key \"service\"", "a \"service\" distribution of service times");
  }
  config.service = read_distribution(node["service"], where / "service");
  config.to = read_string(node, "to", where);
  return config;
}

NodeConfig read_node_config(const std::string& type, const Json& node, const Where& where) {
  if (type == "source") return read_source(node, where);
  if (type == "station") return read_station(node, where);
  check_keys(node, where, node_keys({}));
  return SinkConfig{};
}

const std::string* target_name(const NodeConfig& config) {
  return std::visit(
      [](const auto& c) -> const std::string* {
        if constexpr (requires { c.to; }) {
          return &c.to;
        } else {
          return nullptr;
        }
      },
      config);
}

// Resolves every "to" and rejects routes that cannot end: requests must always be able to
// reach a sink, or the population grows without bound.
void wire(Scenario& scenario, const Json& nodes, const Where& where) {
  std::map<std::string, std::size_t> index;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    index.emplace(scenario.nodes[i].name, i);
    names.push_back(scenario.nodes[i].name);
  }
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    NodeSpec& spec = scenario.nodes[i];
    const std::string* to = target_name(spec.config);
    if (to == nullptr) continue;
    const Where at = where / i / "to";
    const auto found = index.find(*to);
    if (found == index.end()) {
      std::string expected = "the name of a node: " + one_of(names);
      if (auto guess = did_you_mean(*to, names))
        expected += fmt::format(" (did you mean \"{}\"?)", *guess);
      at.fail_value(nodes[i]["to"], expected);
    }
    if (std::holds_alternative<SourceConfig>(scenario.nodes[found->second].config)) {
      at.fail_value(nodes[i]["to"], "a node that accepts requests (a source generates them)");
    }
    spec.targets = {found->second};
  }

  const std::size_t n = scenario.nodes.size();
  // Nodes from which a sink can be reached, by a backward sweep.
  std::vector<bool> reaches_sink(n, false);
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (reaches_sink[i]) continue;
      const auto& spec = scenario.nodes[i];
      const bool ends = std::holds_alternative<SinkConfig>(spec.config) ||
                        std::any_of(spec.targets.begin(), spec.targets.end(),
                                    [&](std::size_t t) { return reaches_sink[t]; });
      if (ends) reaches_sink[i] = changed = true;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (reaches_sink[i] || scenario.nodes[i].targets.empty()) continue;
    // Follow the route to show the cycle it is trapped in.
    std::vector<std::size_t> path;
    std::size_t at = i;
    while (std::find(path.begin(), path.end(), at) == path.end()) {
      path.push_back(at);
      at = scenario.nodes[at].targets.front();
    }
    std::string cycle;
    for (auto it = std::find(path.begin(), path.end(), at); it != path.end(); ++it) {
      cycle += scenario.nodes[*it].name + " -> ";
    }
    cycle += scenario.nodes[at].name;
    // Point at the cycle itself, not at the node that leads into it.
    (where / at / "to")
        .fail_value(nodes[at]["to"],
                    fmt::format("a route that reaches a sink (requests would loop {} "
                                "forever: a cycle with no way out)",
                                cycle));
  }

  if (std::none_of(scenario.nodes.begin(), scenario.nodes.end(), [](const NodeSpec& spec) {
        return std::holds_alternative<SourceConfig>(spec.config);
      })) {
    where.fail("no node of type \"source\"", "at least one source");
  }
}

}  // namespace

const char* type_name(const NodeConfig& config) {
  return kTypeNames[config.index()].c_str();
}

Json parse_json_text(const std::string& text, const std::string& file) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& error) {
    // Syntax errors and numbers beyond double range; drop nlohmann's "[json.exception...] ".
    std::string message = error.what();
    if (const auto end = message.find("] ");
        message.starts_with("[json.") && end != std::string::npos) {
      message = message.substr(end + 2);
    }
    throw InputError(fmt::format("{}: not valid JSON: {}", file, message));
  }
}

Scenario load_scenario(const std::string& path) {
  return parse_scenario(read_scenario_document(path), path);
}

Json read_scenario_document(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(fmt::format("{}: is a directory, expected a scenario file (JSON)", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open: no such readable file", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().find_first_not_of(" \t\r\n") == std::string::npos) {
    throw InputError(fmt::format("{}: /: found an empty file, expected a scenario object", path));
  }
  return parse_json_text(text.str(), path);
}

Scenario parse_scenario(Json document, const std::string& file) {
  const Where root(file);
  require_object(document, root, "a scenario object with \"duration\" and \"nodes\"");
  check_keys(document, root,
             {"name", "description", "seed", "replications", "duration", "warmup", "nodes"});

  Scenario scenario;
  scenario.file = file;
  scenario.name = read_optional_string(document, "name", root)
                      .value_or(std::filesystem::path(file).stem().string());
  scenario.seed = static_cast<std::uint64_t>(
      read_optional_integer(document, "seed", root, Range{0, true, 9e15, true}).value_or(1));
  scenario.replications = static_cast<int>(
      read_optional_integer(document, "replications", root, Range{2, true, kMaxReplications, true})
          .value_or(5));
  scenario.duration = read_number(document, "duration", root, Range{0, false, 1e15, true});
  scenario.warmup = read_optional_number(document, "warmup", root, Range{0, true, 1e15, true})
                        .value_or(scenario.duration / 10);

  const Where nodes_at = root / "nodes";
  if (!document.contains("nodes")) root.fail("no key \"nodes\"", "a \"nodes\" array");
  const Json& nodes = document["nodes"];
  if (!nodes.is_array() || nodes.empty()) nodes_at.fail_value(nodes, "a non-empty array of nodes");

  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Where at = nodes_at / i;
    const Json& node = nodes[i];
    require_object(node, at, "a node object with \"name\" and \"type\"");
    NodeSpec spec;
    spec.name = read_string(node, "name", at);
    if (auto [previous, inserted] = seen.emplace(spec.name, i); !inserted) {
      (at / "name")
          .fail_value(node["name"],
                      fmt::format("a unique name (also used by /nodes/{})", previous->second));
    }
    if (!node.contains("type")) {
      at.fail("no key \"type\"", "a node type (" + one_of(kTypeNames) + ") at \"type\"");
    }
    const std::string type = read_string(node, "type", at);
    if (std::find(kTypeNames.begin(), kTypeNames.end(), type) == kTypeNames.end()) {
      std::string expected = "a node type: " + one_of(kTypeNames);
      if (auto guess = did_you_mean(type, kTypeNames))
        expected += fmt::format(" (did you mean \"{}\"?)", *guess);
      (at / "type").fail_value(node["type"], expected);
    }
    spec.config = read_node_config(type, node, at);
    scenario.nodes.push_back(std::move(spec));
  }
  wire(scenario, nodes, nodes_at);

  document["name"] = scenario.name;
  document["seed"] = scenario.seed;
  document["replications"] = scenario.replications;
  document["warmup"] = scenario.warmup;
  scenario.effective = std::move(document);
  return scenario;
}

}  // namespace capsim::models
