#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "models/nodes/fork_join.hpp"
#include "models/scenario/links.hpp"

namespace capsim::models {

namespace {

// A request's fork depth is the number of forks whose child it is (nested forks add one each).
// Walking the routes over (node, depth) states finds every join and sink a request can reach and
// at which depth, whatever the routing probabilities.
struct Walker {
  const Scenario& scenario;
  const Json& nodes;
  const Where& nodes_at;
  std::size_t forks = 0;

  template <typename Config>
  bool is(std::size_t i) const {
    return std::holds_alternative<Config>(scenario.nodes[i].config);
  }
  const std::string& name(std::size_t i) const { return scenario.nodes[i].name; }

  // Where the requests leaving node `i` at depth `depth` go next. A fork adds a level; an async
  // node's message (its second target) is a new request, the child of no fork.
  void successors(std::size_t i, std::size_t depth,
                  std::vector<std::pair<std::size_t, std::size_t>>& out) const {
    const auto& targets = scenario.nodes[i].targets;
    if (is<AsyncConfig>(i)) {
      out.emplace_back(targets[0], depth);
      out.emplace_back(targets[1], 0);
      return;
    }
    std::size_t next = depth;
    if (is<ForkConfig>(i)) {
      next = depth + 1;
      // Deeper than there are forks: a loop forks again and again without joining.
      if (next > forks) {
        (nodes_at / i / "to")
            .fail_value(nodes[i]["to"],
                        fmt::format("branches that reach the join of fork {} before forking "
                                    "again (a loop through {} forks without end)",
                                    name(i), name(i)));
      }
    }
    for (std::size_t t : targets) out.emplace_back(t, next);
  }

  // The join where the children sent down branch `branch` of fork `f` are collected.
  std::size_t join_of_branch(std::size_t f, std::size_t branch) const {
    const Where at = nodes_at / f / "to" / branch;
    std::optional<std::size_t> join;
    std::set<std::pair<std::size_t, std::size_t>> seen;
    std::vector<std::pair<std::size_t, std::size_t>> stack = {
        {scenario.nodes[f].targets[branch], 1}};
    while (!stack.empty()) {
      const auto [i, depth] = stack.back();
      stack.pop_back();
      // Depth 0: an async node's message, no child of this fork (check_source covers it).
      if (depth == 0 || !seen.insert({i, depth}).second) continue;
      if (is<SinkConfig>(i)) {
        at.fail_value(nodes[f]["to"][branch],
                      fmt::format("a branch whose requests all reach a join before any sink "
                                  "(they can reach the sink {} without passing a join)",
                                  name(i)));
      }
      if (is<JoinConfig>(i)) {
        if (depth == 1) {
          if (join && *join != i) {
            at.fail_value(nodes[f]["to"][branch],
                          fmt::format("a branch whose requests all end at one join (they can "
                                      "reach both {} and {})",
                                      name(std::min(*join, i)), name(std::max(*join, i))));
          }
          join = i;
          continue;  // the parent goes on from here, outside this fork's section
        }
        for (std::size_t t : scenario.nodes[i].targets) stack.emplace_back(t, depth - 1);
        continue;
      }
      successors(i, depth, stack);
    }
    assert(join && "every route reaches a sink, so a route without a join was caught above");
    return *join;
  }

  // Requests from a source (depth 0) must not reach a join: they are no fork's children.
  void check_source(std::size_t source) const {
    std::set<std::pair<std::size_t, std::size_t>> seen;
    std::vector<std::pair<std::size_t, std::size_t>> stack;
    successors(source, 0, stack);
    while (!stack.empty()) {
      const auto [i, depth] = stack.back();
      stack.pop_back();
      if (!seen.insert({i, depth}).second) continue;
      if (is<JoinConfig>(i)) {
        if (depth == 0) {
          (nodes_at / i)
              .fail(fmt::format("join {} on a route from source {} that passes no fork", name(i),
                                name(source)),
                    "a join that only the branches of its fork lead to");
        }
        for (std::size_t t : scenario.nodes[i].targets) stack.emplace_back(t, depth - 1);
        continue;
      }
      successors(i, depth, stack);
    }
  }
};

}  // namespace

void link_forks_and_joins(Scenario& scenario, const Json& nodes, const Where& nodes_at) {
  Walker walker{scenario, nodes, nodes_at};
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
    if (walker.is<ForkConfig>(i)) ++walker.forks;
  }
  if (walker.forks == 0 &&
      std::none_of(scenario.nodes.begin(), scenario.nodes.end(), [](const NodeSpec& spec) {
        return std::holds_alternative<JoinConfig>(spec.config);
      })) {
    return;
  }
  for (std::size_t f = 0; f < scenario.nodes.size(); ++f) {
    if (!walker.is<ForkConfig>(f)) continue;
    std::size_t join = walker.join_of_branch(f, 0);
    for (std::size_t b = 1; b < scenario.nodes[f].targets.size(); ++b) {
      const std::size_t other = walker.join_of_branch(f, b);
      if (other != join) {
        (nodes_at / f / "to" / b)
            .fail_value(nodes[f]["to"][b],
                        fmt::format("a branch that ends at the same join as the fork's first "
                                    "branch ({}), not at {}",
                                    walker.name(join), walker.name(other)));
      }
    }
    auto& join_config = std::get<JoinConfig>(scenario.nodes[join].config);
    if (join_config.fork) {
      (nodes_at / f / "to")
          .fail_value(nodes[f]["to"],
                      fmt::format("branches that end at a join of this fork's own ({} already "
                                  "collects the children of fork {})",
                                  walker.name(join), walker.name(*join_config.fork)));
    }
    join_config.fork = f;
    std::get<ForkConfig>(scenario.nodes[f].config).join = join;
  }
  for (std::size_t s = 0; s < scenario.nodes.size(); ++s) {
    if (walker.is<SourceConfig>(s)) walker.check_source(s);
  }
}

}  // namespace capsim::models
