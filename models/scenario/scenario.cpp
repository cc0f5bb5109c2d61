#include "models/scenario/scenario.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "models/io/time_resolution.hpp"
#include "models/scenario/links.hpp"

namespace capsim::models {

namespace {

constexpr std::int64_t kMaxReplications = 100'000;

// The scenario's node types. To add one: a Config struct, a read_* function for its own keys,
// a make_node overload (and an analyse overload for validate), an alternative in NodeConfig,
// and a line here.
}  // namespace

const std::vector<NodeType>& node_types() {
  static const std::vector<NodeType> types = {
      {"source", {"arrival", "profile", "trace", "batch", "keys", "class"}, Routing::route,
       [](const Json& n, const Where& w) -> NodeConfig { return read_source(n, w); }},
      {"station",
       {"servers", "capacity", "service", "discipline", "service_by_class", "failures"},
       Routing::route,
       [](const Json& n, const Where& w) -> NodeConfig { return read_station(n, w); }},
      {"delay", {"delay"}, Routing::route,
       [](const Json& n, const Where& w) -> NodeConfig { return read_delay(n, w); }},
      {"sink", {"outcome"}, Routing::none,
       [](const Json& n, const Where& w) -> NodeConfig { return read_sink(n, w); }},
      {"clients", {"users", "think"}, Routing::route,
       [](const Json& n, const Where& w) -> NodeConfig { return read_clients(n, w); }},
      {"fork", {"k"}, Routing::list,
       [](const Json& n, const Where& w) -> NodeConfig { return read_fork(n, w); }},
      {"join", {}, Routing::route,
       [](const Json& n, const Where& w) -> NodeConfig { return read_join(n, w); }},
      {"async", {}, Routing::list,
       [](const Json& n, const Where& w) -> NodeConfig { return read_async(n, w); }},
      {"balancer", {"policy", "weights", "d", "virtual_nodes"}, Routing::list,
       [](const Json& n, const Where& w) -> NodeConfig { return read_balancer(n, w); }},
      {"limiter", {"algorithm", "limit", "window", "rate", "burst", "queue"}, Routing::list,
       [](const Json& n, const Where& w) -> NodeConfig { return read_limiter(n, w); }},
      {"cache", {"capacity", "policy", "ttl", "ttl_reset", "hit_latency", "writes"},
       Routing::list,
       [](const Json& n, const Where& w) -> NodeConfig { return read_cache(n, w); }},
      {"retry", {"timeout", "attempts", "backoff", "budget", "budget_window"}, Routing::list,
       [](const Json& n, const Where& w) -> NodeConfig { return read_retry(n, w); }},
      {"breaker", {"failure_ratio", "window", "open_for", "probes", "timeout"}, Routing::list,
       [](const Json& n, const Where& w) -> NodeConfig { return read_breaker(n, w); }},
  };
  return types;
}

std::vector<std::string> node_type_names() {
  std::vector<std::string> names;
  for (const auto& type : node_types()) names.push_back(type.name);
  return names;
}

namespace {

// "to" before names are resolved: the names and where each was written.
struct PendingTargets {
  std::vector<std::string> names;
  std::vector<Where> places;
};

constexpr double kProbabilityTolerance = 1e-9;

PendingTargets read_targets(const Json& node, const Where& where, Routing routing,
                            std::vector<double>& probabilities) {
  PendingTargets pending;
  if (routing == Routing::none) return pending;
  const Where at = where / "to";
  const auto it = node.find("to");
  const char* route_form =
      "a node name, or a list of {\"node\": name, \"p\": probability} summing to 1";
  const char* list_form = "a non-empty list of distinct node names";
  if (it == node.end()) {
    where.fail("no key \"to\"", routing == Routing::route ? route_form : list_form);
  }
  if (routing == Routing::route && it->is_string()) {
    pending.names.push_back(read_string(node, "to", where));
    pending.places.push_back(at);
    return pending;
  }
  if (!it->is_array() || it->empty()) {
    at.fail_value(*it, routing == Routing::route ? route_form : list_form);
  }
  double sum = 0;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& entry = (*it)[i];
    const Where entry_at = at / i;
    if (routing == Routing::list) {
      if (!entry.is_string() || entry.get_ref<const std::string&>().empty()) {
        entry_at.fail_value(entry, "a node name");
      }
      pending.names.push_back(entry.get<std::string>());
      pending.places.push_back(entry_at);
    } else {
      require_object(entry, entry_at, "a route {\"node\": name, \"p\": probability}");
      check_keys(entry, entry_at, {"node", "p"});
      pending.names.push_back(read_string(entry, "node", entry_at));
      pending.places.push_back(entry_at / "node");
      probabilities.push_back(read_number(entry, "p", entry_at, Range{0, true, 1, true}));
      sum += probabilities.back();
    }
    for (std::size_t j = 0; j + 1 < pending.names.size(); ++j) {
      if (pending.names[j] == pending.names.back()) {
        pending.places.back().fail_value(
            pending.names.back(),
            fmt::format("a node not already listed at {}/{}", at.pointer(), j));
      }
    }
  }
  if (routing == Routing::route && std::fabs(sum - 1) > kProbabilityTolerance) {
    at.fail(fmt::format("probabilities summing to {:.10g}", sum), "probabilities summing to 1");
  }
  return pending;
}

// Resolves every "to": names of nodes that accept requests.
void resolve_targets(Scenario& scenario, const std::vector<PendingTargets>& pending) {
  std::map<std::string, std::size_t> index;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    index.emplace(scenario.nodes[i].name, i);
    names.push_back(scenario.nodes[i].name);
  }
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    for (std::size_t t = 0; t < pending[i].names.size(); ++t) {
      const std::string& name = pending[i].names[t];
      const Where& at = pending[i].places[t];
      const auto found = index.find(name);
      if (found == index.end()) {
        std::string expected = "the name of a node: " + one_of(names);
        if (auto guess = did_you_mean(name, names)) {
          expected += fmt::format(" (did you mean \"{}\"?)", *guess);
        }
        at.fail_value(name, expected);
      }
      if (std::holds_alternative<SourceConfig>(scenario.nodes[found->second].config)) {
        at.fail_value(name, "a node that accepts requests (a source generates them)");
      }
      if (std::holds_alternative<ClientsConfig>(scenario.nodes[found->second].config)) {
        at.fail_value(name, "a node that accepts requests (clients generate them)");
      }
      scenario.nodes[i].targets.push_back(found->second);
    }
  }
}

// Rejects routes that cannot end: requests must always be able to reach a sink, or the
// population grows without bound.
void reject_routes_without_sink(const Scenario& scenario, const Json& nodes, const Where& where) {
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
    // Follow the route to show the cycle it is trapped in (every target here is trapped too).
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
}

// Requires a node that generates requests, and warns of nodes no route from one leads to: they
// are allowed (kept for a --set or a sweep to route to), but they measure nothing, which is more
// often a mistake than the intent.
void check_generators_reach(Scenario& scenario, const Where& where) {
  std::vector<std::size_t> generators;
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    const NodeConfig& config = scenario.nodes[i].config;
    if (std::holds_alternative<SourceConfig>(config) ||
        std::holds_alternative<ClientsConfig>(config)) {
      generators.push_back(i);
    }
  }
  if (generators.empty()) where.fail("no node of type \"source\"", "at least one source");
  const std::vector<bool> reached = reachable_from(scenario, std::move(generators));
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    if (reached[i]) continue;
    scenario.warnings.push_back(fmt::format(
        "{}: {}: node \"{}\" is unreachable: no route from a source leads to it, so it sees no "
        "requests",
        where.file(), (where / i).pointer(), scenario.nodes[i].name));
  }
}

// The second pass of the loader, once every node exists: links, and the routes' checks.
void wire(Scenario& scenario, const std::vector<PendingTargets>& pending, const Json& nodes,
          const Where& where) {
  resolve_targets(scenario, pending);
  reject_routes_without_sink(scenario, nodes, where);
  check_generators_reach(scenario, where);
}

// Node keys naming request classes, resolved against the scenario's "classes".
void resolve_request_classes(NodeConfig& config, const Json& node, const Where& at,
                             const std::vector<RequestClass>& classes) {
  if (auto* source = std::get_if<SourceConfig>(&config)) {
    if (node.contains("class")) {
      source->request_class = read_class_reference(node, "class", at, classes);
    }
  } else if (auto* station = std::get_if<StationConfig>(&config)) {
    resolve_station_classes(*station, at, classes);
  }
}

// The scenario's own keys but "nodes", "classes", "slo" and "sweep", with their defaults.
Scenario read_run_settings(const Json& document, const std::string& file) {
  const Where root(file);
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
  return scenario;
}

// Node `i` of "nodes" (the loader's first pass): its name, unique among those `seen`, its type
// and own keys; its "to" is kept in `pending` until every node exists.
NodeSpec read_node(const Json& node, std::size_t i, const Where& at,
                   std::map<std::string, std::size_t>& seen,
                   const std::vector<RequestClass>& classes, std::vector<PendingTargets>& pending) {
  require_object(node, at, "a node object with \"name\" and \"type\"");
  NodeSpec spec;
  spec.name = read_string(node, "name", at);
  if (auto [previous, inserted] = seen.emplace(spec.name, i); !inserted) {
    (at / "name")
        .fail_value(node["name"],
                    fmt::format("a unique name (also used by /nodes/{})", previous->second));
  }
  const std::vector<std::string> types = node_type_names();
  if (!node.contains("type")) {
    at.fail("no key \"type\"", "a node type (" + one_of(types) + ") at \"type\"");
  }
  spec.type = read_string(node, "type", at);
  const auto type = std::find_if(node_types().begin(), node_types().end(),
                                 [&](const NodeType& t) { return t.name == spec.type; });
  if (type == node_types().end()) {
    std::string expected = "a node type: " + one_of(types);
    if (auto guess = did_you_mean(spec.type, types)) {
      expected += fmt::format(" (did you mean \"{}\"?)", *guess);
    }
    (at / "type").fail_value(node["type"], expected);
  }
  std::vector<std::string> keys = {"name", "type", "description"};
  keys.insert(keys.end(), type->keys.begin(), type->keys.end());
  if (type->routing != Routing::none) keys.push_back("to");
  check_keys(node, at, keys);
  spec.config = type->read(node, at);
  resolve_request_classes(spec.config, node, at, classes);
  pending.push_back(read_targets(node, at, type->routing, spec.probabilities));
  return spec;
}

}  // namespace

Json parse_json_text(const std::string& text, const std::string& file) {
  if (const auto at = find_excess_nesting(text, limits::kMaxNesting)) {
    throw InputError(fmt::format(
        "{}: line {}, column {}: found arrays and objects nested more than {} deep, expected at "
        "most {} levels of nesting",
        file, at->line, at->column, limits::kMaxNesting, limits::kMaxNesting));
  }
  try {
    return Json::parse(text);
  } catch (const Json::exception& error) {
    // Syntax errors and numbers beyond double range; drop nlohmann's "[json.exception...] ".
    std::string message = error.what();
    if (const auto end = message.find("] ");
        message.starts_with("[json.") && end != std::string::npos) {
      message = message.substr(end + 2);
    }
    // nlohmann quotes the bytes it last read, which may not be UTF-8.
    throw InputError(fmt::format("{}: not valid JSON: {}", file, printable(message)));
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
             {"name", "description", "seed", "replications", "duration", "warmup", "nodes", "slo",
              "sweep", "classes"});
  Scenario scenario = read_run_settings(document, file);

  const Where nodes_at = root / "nodes";
  if (!document.contains("nodes")) root.fail("no key \"nodes\"", "a \"nodes\" array");
  const Json& nodes = document["nodes"];
  if (!nodes.is_array() || nodes.empty()) nodes_at.fail_value(nodes, "a non-empty array of nodes");

  scenario.classes = read_request_classes(document, root);
  std::map<std::string, std::size_t> seen;
  std::vector<PendingTargets> pending;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    scenario.nodes.push_back(read_node(nodes[i], i, nodes_at / i, seen, scenario.classes, pending));
  }
  wire(scenario, pending, nodes, nodes_at);
  link_forks_and_joins(scenario, nodes, nodes_at);
  link_balancers(scenario);
  link_caches(scenario);
  link_calls(scenario, nodes, nodes_at);

  scenario.slos = read_slos(document, scenario);
  scenario.sweep = read_sweep(document, file);
  if (auto warning = check_time_resolution(document, file, scenario.warmup + scenario.duration)) {
    scenario.warnings.push_back(std::move(*warning));
  }

  document["name"] = scenario.name;
  document["seed"] = scenario.seed;
  document["replications"] = scenario.replications;
  document["warmup"] = scenario.warmup;
  scenario.effective = std::move(document);
  return scenario;
}

std::vector<bool> reachable_from(const Scenario& scenario, std::vector<std::size_t> stack) {
  // Depth first from the starts; the vector passed in is the stack.
  std::vector<bool> reached(scenario.nodes.size(), false);
  while (!stack.empty()) {
    const std::size_t at = stack.back();
    stack.pop_back();
    if (reached[at]) continue;
    reached[at] = true;
    for (std::size_t t : scenario.nodes[at].targets) stack.push_back(t);
  }
  return reached;
}

std::vector<std::size_t> upstream_nodes(const Scenario& scenario, std::size_t node) {
  const std::size_t n = scenario.nodes.size();
  std::vector<std::vector<std::size_t>> feeders(n);
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t target : scenario.nodes[j].targets) feeders[target].push_back(j);
  }
  std::vector<bool> reached(n, false);
  std::vector<std::size_t> pending = {node};
  while (!pending.empty()) {
    const std::size_t at = pending.back();
    pending.pop_back();
    for (std::size_t feeder : feeders[at]) {
      if (!reached[feeder]) {
        reached[feeder] = true;
        pending.push_back(feeder);
      }
    }
  }
  std::vector<std::size_t> upstream;
  for (std::size_t j = 0; j < n; ++j) {
    if (reached[j]) upstream.push_back(j);
  }
  return upstream;
}

}  // namespace capsim::models
