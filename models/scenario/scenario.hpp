#pragma once
// A scenario: the validated, wired description of a system, shared read-only by all replications.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "models/io/json_input.hpp"
#include "models/io/overrides.hpp"
#include "models/nodes/balancer.hpp"
#include "models/nodes/cache.hpp"
#include "models/nodes/clients.hpp"
#include "models/nodes/delay.hpp"
#include "models/nodes/fork_join.hpp"
#include "models/nodes/message_queue.hpp"
#include "models/nodes/rate_limiter.hpp"
#include "models/nodes/request_classes.hpp"
#include "models/nodes/resilience.hpp"
#include "models/nodes/sink.hpp"
#include "models/nodes/source.hpp"
#include "models/nodes/station.hpp"
#include "models/scenario/slo.hpp"

namespace capsim::models {

using NodeConfig = std::variant<SourceConfig, StationConfig, DelayConfig, SinkConfig,
                                BalancerConfig, ForkConfig, JoinConfig, AsyncConfig, ClientsConfig,
                                LimiterConfig, CacheConfig, RetryConfig, BreakerConfig>;

/// How a node type reads "to".
enum class Routing {
  none,   ///< no "to" (sinks)
  route,  ///< one node name, or a list of {"node": name, "p": probability} summing to 1
  list,   ///< a list of distinct node names, all of which the node uses (backends, branches)
};

/// A node type of the scenario format.
struct NodeType {
  std::string name;               ///< "station"
  std::vector<std::string> keys;  ///< its own keys, besides name, type, description and to
  Routing routing;
  NodeConfig (*read)(const Json& node, const Where& where);  ///< reads and validates its keys
};

/// Every node type, in the order messages list them.
const std::vector<NodeType>& node_types();
std::vector<std::string> node_type_names();

struct NodeSpec {
  std::string name;
  std::string type;
  NodeConfig config;
  std::vector<std::size_t> targets;   ///< downstream nodes (indexes into Scenario::nodes)
  std::vector<double> probabilities;  ///< per target when routing is probabilistic, else empty
};

struct Scenario {
  std::string file;  ///< where it was read from, for messages
  std::string name;
  std::uint64_t seed = 1;
  int replications = 5;
  double duration = 0;  ///< length of the measurement window, s
  double warmup = 0;    ///< simulated before the window and discarded, s
  std::vector<NodeSpec> nodes;
  /// Request classes ("classes"); one class named "default" when absent.
  std::vector<RequestClass> classes;
  std::vector<Slo> slos;         ///< service-level objectives ("slo"), checked by `capsim check`
  std::vector<SweepAxis> sweep;  ///< parameters `capsim sweep` varies when given no --vary
  /// The document as run: overrides applied and every default written out.
  Json effective;
  /// Doubts that do not stop a run, one line each naming file and JSON path (e.g. a node no
  /// request can reach). The CLI prints them on stderr.
  std::vector<std::string> warnings;
};

/// Reads a scenario file as JSON (not yet validated); throws InputError.
Json read_scenario_document(const std::string& path);
/// Reads and validates a scenario file; throws InputError.
Scenario load_scenario(const std::string& path);
/// Validates a parsed document; `file` names it in messages. Throws InputError.
Scenario parse_scenario(Json document, const std::string& file);
/// Parses JSON text, turning syntax errors into one-line InputErrors.
Json parse_json_text(const std::string& text, const std::string& file);
/// Every node a request entering at any of `starts` can visit along the routes, `starts` included
/// (indexed like scenario.nodes).
std::vector<bool> reachable_from(const Scenario& scenario, std::vector<std::size_t> starts);

/// Every node from which requests can reach `node` along the routes (not `node` itself unless
/// it lies on a cycle), ascending.
std::vector<std::size_t> upstream_nodes(const Scenario& scenario, std::size_t node);

}  // namespace capsim::models
