#pragma once
// The loader's second pass: once every "to" is resolved, the node types whose configuration
// depends on their neighbours check the routes around them and complete their configuration
// (a balancer's key shares, a cache's key space, a fork's join, the calls of retries and
// breakers). Each fails with the JSON path of the offending node.

#include "models/io/json_input.hpp"
#include "models/scenario/scenario.hpp"

namespace capsim::models {

/// The loader's pass over balancers once every "to" is resolved: a consistent_hash balancer
/// needs keys on every source whose requests can reach it (InputError at that source
/// otherwise), and gets its key count and key shares.
void link_balancers(Scenario& scenario);

/// The loader's pass over caches once every "to" is resolved: every source whose requests can
/// reach a cache must give them keys (InputError at that source otherwise; a trace's keys
/// count); the cache learns the key space its sources share and whether its keys follow the
/// independent reference model. A cache with writes needs that shared key space.
void link_caches(Scenario& scenario);

/// After wiring: checks that every fork's children end at one join of its own before any sink,
/// that no request reaches a join except as a child, and that no loop forks without joining;
/// then links each fork and its join. Fails with the JSON path of the offending route.
void link_forks_and_joins(Scenario& scenario, const Json& nodes, const Where& nodes_at);

/// After wiring: fails if a retry or breaker node's service routes lead back to the node itself
/// (every call would become a caller of the node again), or if the route for what a limiter,
/// retry or breaker node turns away (rejected requests, failed callers) leads back to it (a
/// retry loop without a budget); marks the stations on the service routes of nodes with a
/// timeout, which then report goodput and wasted_utilization.
void link_calls(Scenario& scenario, const Json& nodes, const Where& nodes_at);

}  // namespace capsim::models
